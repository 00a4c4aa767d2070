"""Brian2's model language where snnzoo follows it: ``exact`` integration of linear equations,
Heun and Milstein for multiplicative noise, writes dropped while refractory, linked variables
read at the start of the step. Reference data: ``benchmarks/brian2_language_references.py``."""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.linalg
import sympy

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.errors import ConfigError, EquationError, SnnzooError, UnitError

REFERENCE = Path(__file__).parent / "reference"


def reference(name: str) -> dict:
    return json.loads((REFERENCE / f"brian2_{name}.json").read_text())


sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples" / "brian2"))
from cuba import CUBA  # noqa: E402  (the CUBA neuron of Brian2's example, ported in examples/brian2)


def steps_of(record, dt=1e-4):
    return np.rint(record.spike_times / dt).astype(np.int64)


# -- exact -----------------------------------------------------------------------------------------------------


def test_exact_is_chosen_for_linear_equations_and_said_so():
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    assert net.add_population("c", CUBA, 1).integrator.name == "exact"
    assert net.add_population("a", "adex", 1).integrator.name == "euler"  # the model names euler
    quadratic = sz.NeuronModel("quad", "dv/dt = v**2/(mV*ms) : volt", {})
    assert net.add_population("q", quadratic, 1).integrator.name == "euler"
    assert "Default integrator: exact (chosen automatically: the equations are linear)" in CUBA.describe()
    assert "Default integrator: euler (chosen automatically: not exact:" in quadratic.describe()


def test_the_automatic_choice_follows_brian2_for_noise_and_synapses():
    """Brian2 takes the first of exact, euler and heun that applies: heun for multiplicative noise, and
    the same choice for a synapse model's clock-driven equations (they got forward Euler before)."""
    gbm = sz.NeuronModel("gbm", "dx/dt = x*sigma*xi : 1", {"sigma": "1 Hz**0.5"})
    assert "Default integrator: heun (chosen automatically: the noise is multiplicative" in gbm.describe()
    assert sz.Network(dt=0.1 * u.ms).add_population("g", gbm, 1).integrator.name == "heun"
    decay = sz.SynapseModel("decay", "w : 1\ndy/dt = -y/(1*ms) : 1 (clock-driven)", on_pre="y += 1")
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_source("pre", sz.stimulus("spike_generator", times=[0] * u.ms))
    net.add_population("post", sz.NeuronModel("cell", "dv/dt = -v/(10*ms) : 1", {}), 1)
    net.connect("pre", "post", synapse=decay, all_to_all=True, weight=1, name="S")
    net.run(5 * u.ms)
    y = net.result()["projections/S"].dataset.y.values.ravel()[0]
    assert y == pytest.approx(math.exp(-4.9), rel=1e-12)  # set to 1 in step 0, then 49 exact steps


def test_exact_solves_a_coupled_linear_system_to_rounding():
    """CUBA's v, ge, gi from non-zero ge and gi: the kernel against scipy's matrix exponential."""
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("c", CUBA, 1, initial={"v": "-70 mV", "ge": "3 mV", "gi": "-1 mV"})
    net.record("c", ["v", "ge", "gi"])
    net.run(30 * u.ms)
    data = net.records()[0].states[0].data
    A = np.array([[-1 / 20e-3, 1 / 20e-3, 1 / 20e-3], [0, -1 / 5e-3, 0], [0, 0, -1 / 10e-3]])
    b = np.array([-49e-3 / 20e-3, 0, 0])
    x0 = np.array([-70e-3, 3e-3, -1e-3])
    fixed = -np.linalg.solve(A, b)
    expected = np.array([fixed + scipy.linalg.expm(A * n * 1e-4) @ (x0 - fixed) for n in range(300)])
    got = np.stack([data["v"][:, 0], data["ge"][:, 0], data["gi"][:, 0]], axis=1)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize("adaptation_nS", [1, 20.249999])
def test_exact_solves_variables_that_feed_each_other_to_rounding(adaptation_nS):
    """A leaky neuron with a linear adaptation current, v <-> w (each feeds the other), as the automatic choice
    integrates it (exact), against scipy's matrix exponential. Simplifying sympy's closed form did not finish in
    10 minutes (8.7 GB), and the automatic choice tries exact first: the model could not be run. At a = 20.249999 nS
    the two rates are 0.02 /s apart at -55 /s (near critical damping), where the quotient
    (exp(l1*dt) - exp(l2*dt))/(l1 - l2) would lose digits; the divided difference of exp keeps them."""
    model = sz.NeuronModel("adaptive_leak", """
        dv/dt = (E_L - v - R*w)/tau_m : volt
        dw/dt = (a*(v - E_L) - w)/tau_w : amp
        """, {"E_L": "-70 mV", "R": "100 Mohm", "tau_m": "10 ms", "a": adaptation_nS * u.nS, "tau_w": "100 ms"},
        initial={"v": "-50 mV", "w": "0.1 nA"})
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    population = net.add_population("p", model, 1)
    net.record("p", ["v", "w"])
    net.run(30 * u.ms)
    assert population.integrator.name == "exact"
    data = net.records()[0].states[0].data
    A = np.array([[-1 / 10e-3, -100e6 / 10e-3], [adaptation_nS * 1e-9 / 100e-3, -1 / 100e-3]])
    assert np.isreal(np.linalg.eigvals(A)).all()
    rest = np.array([-70e-3, 0.0])  # the fixed point: v = E_L, w = 0
    expected = np.array([rest + scipy.linalg.expm(A * n * 1e-4) @ (np.array([-50e-3, 0.1e-9]) - rest)
                         for n in range(300)])
    np.testing.assert_allclose(data["v"][:, 0], expected[:, 0], rtol=1e-11)
    np.testing.assert_allclose(data["w"][:, 0], expected[:, 1], rtol=1e-11, atol=1e-24)


def test_exact_on_a_loop_that_oscillates_says_so_at_the_first_step():
    """With a strong adaptation (a = 100 nS), v and w oscillate: the closed form takes the square root of a
    negative number, and the first step's NaN was blamed on 'an expression of the model' alone."""
    model = sz.NeuronModel("adaptive_leak", """
        dv/dt = (E_L - v - R*w)/tau_m : volt
        dw/dt = (a*(v - E_L) - w)/tau_w : amp
        """, {"E_L": "-70 mV", "R": "100 Mohm", "tau_m": "10 ms", "a": "100 nS", "tau_w": "100 ms"},
        initial={"v": "-50 mV"})
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("p", model, 1, integrator="exact")
    with pytest.raises(SnnzooError, match=r"in the first step of the run.*; with 'exact', v and w feed each other, "
                                          r"and its closed form is undefined where they oscillate \(complex rates\): "
                                          r"use 'rk4' for such values$"):
        net.run(1 * u.ms)
    rk4 = sz.Network(dt=0.1 * u.ms, seed=0)
    rk4.add_population("p", model, 1, integrator="rk4")
    rk4.record("p", "v")
    rk4.run(1 * u.ms)
    assert np.isfinite(rk4.records()[0].states[0].data["v"]).all()


def test_exact_solves_a_singular_loop_with_an_input_to_rounding():
    """Two passive compartments without a leak, driven by a current: v1 <-> v2 feed each other and A is singular
    (the charge stays), so F comes from the augmented matrix's exponential, taken as sympy gives it."""
    model = sz.NeuronModel("two_compartments", """
        dv1/dt = (I + g*(v2 - v1))/C : volt
        dv2/dt = g*(v1 - v2)/C : volt
        I : amp
        """, {"g": "10 nS", "C": "200 pF"})
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    population = net.add_population("p", model, 1)
    net.add_stimulus(sz.stimulus("constant_current", amplitude="50 pA"), "p")
    net.record("p", ["v1", "v2"])
    net.run(30 * u.ms)
    assert population.integrator.name == "exact"
    data = net.records()[0].states[0].data
    augmented = np.array([[-10e-9 / 200e-12, 10e-9 / 200e-12, 50e-12 / 200e-12], [10e-9 / 200e-12, -10e-9 / 200e-12, 0],
                          [0, 0, 0]])
    expected = np.array([(scipy.linalg.expm(augmented * n * 1e-4) @ [0, 0, 1])[:2] for n in range(300)])
    np.testing.assert_allclose(data["v1"][:, 0], expected[:, 0], rtol=1e-11, atol=1e-18)
    np.testing.assert_allclose(data["v2"][:, 0], expected[:, 1], rtol=1e-11, atol=1e-18)


def test_exact_refuses_a_loop_of_three_whose_rates_have_no_closed_form_at_once():
    """Three passive compartments with a leak: the rates are the roots of a cubic in g1, g2, gL and C. Sympy's
    exponential of that matrix ran for over 10 minutes (as Brian2 2.9's), and the automatic choice tries exact
    first, so the model could not be run; now exact is refused with the reason and the choice goes on."""
    model = sz.NeuronModel("three_compartments", """
        dv1/dt = (gL*(EL - v1) + g1*(v2 - v1))/C : volt
        dv2/dt = (g1*(v1 - v2) + g2*(v3 - v2))/C : volt
        dv3/dt = g2*(v2 - v3)/C : volt
        """, {"g1": "10 nS", "g2": "5 nS", "C": "200 pF", "gL": "10 nS", "EL": "-70 mV"})
    assert model.automatic_integrator() == ("euler", "not exact: 'exact' cannot integrate v1, v2, v3: they feed each "
                                            "other in a loop whose rates are the roots of a polynomial of degree 3 in "
                                            "the parameters, with no usable closed form; use 'rk4' or "
                                            "'exponential_euler'")
    net = sz.Network(dt=0.1 * u.ms)
    net.add_population("p", model, 1, integrator="exact")
    with pytest.raises(EquationError, match=r"^model 'three_compartments': 'exact' cannot integrate v1, v2, v3:"):
        net.run(1 * u.ms)


def test_exact_refuses_a_loop_of_five_without_looking_for_its_rates():
    """A cable of ten compartments: finding whether the rates' polynomial factors took 16 s (a degree-five
    polynomial or higher has no closed form unless it does, and sympy's exponential then ran on)."""
    lines = []
    for k in range(10):
        currents = [f"g*(v{k - 1} - v{k})" if k else "gL*(EL - v0)"] + ([f"g*(v{k + 1} - v{k})"] if k < 9 else [])
        lines.append(f"dv{k}/dt = ({' + '.join(currents)})/C : volt")
    equations = "\n".join(lines)
    model = sz.NeuronModel("cable", equations, {"g": "10 nS", "C": "200 pF", "gL": "10 nS", "EL": "-70 mV"})
    names = ", ".join(f"v{k}" for k in range(10))
    assert model.automatic_integrator() == ("euler", f"not exact: 'exact' cannot integrate {names}: they feed each "
                                            "other in a loop of 10 variables, whose rates have no usable closed form "
                                            "('exact' solves loops of up to 4); use 'rk4' or 'exponential_euler'")


def test_exact_handles_a_singular_system_and_per_neuron_parameters():
    """A perfect integrator (A = 0) driven by a current, and a leak with one tau per neuron."""
    model = sz.NeuronModel("pif_leak", """
        dv/dt = I/C : volt
        dw/dt = (wr - w)/tau : volt
        I : amp
        """, {"C": "200 pF", "tau": "10 ms", "wr": "1 mV"})
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("p", model, 3, parameters={"tau": [5, 10, 20] * u.ms})
    net.add_stimulus(sz.stimulus("constant_current", amplitude=[100, 200, 300] * u.pA), "p")
    net.record("p", ["v", "w"])
    net.run(10 * u.ms)
    data = net.records()[0].states[0].data
    t = np.arange(100)[:, None] * 1e-4
    # the stimulus writes I at the start of step 0, so v grows by I*dt/C from the first step on
    np.testing.assert_allclose(data["v"], t * np.array([100e-12, 200e-12, 300e-12]) / 200e-12, rtol=1e-12, atol=1e-18)
    np.testing.assert_allclose(data["w"], 1e-3 * (1 - np.exp(-t / np.array([5e-3, 10e-3, 20e-3]))), rtol=1e-12)


@pytest.mark.parametrize("relative_difference", [0, 1e-12, 1e-3])
def test_exact_is_exact_when_two_time_constants_are_equal_or_nearly(relative_difference):
    """v <- ge with taue == taum (the alpha function, v = ge0*(t/tau)*exp(-t/tau)) was NaN from the first
    step, and a tiny difference lost digits: 1 % of v at a relative difference of 1e-12 (Brian2 gives NaN)."""
    model = sz.NeuronModel("pair", "dv/dt = (ge - v)/taum : 1\ndge/dt = -ge/taue : 1",
                           {"taum": 10 * (1 + relative_difference) * u.ms, "taue": "10 ms"}, initial={"ge": 1})
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("p", model, 1, integrator="exact")
    net.record("p", "v")
    net.run(20 * u.ms)
    A = np.array([[-1 / (10e-3 * (1 + relative_difference)), 1 / (10e-3 * (1 + relative_difference))], [0, -1 / 10e-3]])
    expected = [(scipy.linalg.expm(A * n * 1e-4) @ [0, 1])[0] for n in range(200)]
    np.testing.assert_allclose(net.records()[0].states[0].data["v"][:, 0], expected, rtol=1e-13, atol=1e-16)
    if relative_difference == 0:
        t = np.arange(200) * 1e-4
        np.testing.assert_allclose(expected, t / 10e-3 * np.exp(-t / 10e-3), rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("precision, rtol", [("double", 1e-11), ("single", 1e-4)])
def test_exact_on_a_loop_with_a_parameter_given_per_neuron_computes_each_divided_difference_once(precision, rtol):
    """v <-> w with the adaptation coupling a given per neuron: each neuron against scipy's matrix exponential,
    and the kernel computes each of the four distinct divided differences of exp once per neuron, before the
    steps (its update called them twenty times per neuron and step, each taking memory from the heap: 1 s of
    20 000 neurons was stopped after 13 minutes)."""
    from snnzoo.engine import codegen

    model = sz.NeuronModel("adaptive_leak", """
        dv/dt = (E_L - v - R*w)/tau_m : volt
        dw/dt = (a*(v - E_L) - w)/tau_w : amp
        """, {"E_L": "-70 mV", "R": "100 Mohm", "tau_m": "10 ms", "a": "1 nS", "tau_w": "100 ms"},
        initial={"v": "-50 mV", "w": "0.1 nA"})
    couplings = np.array([1.0, 5.0, 20.249999])
    net = sz.Network(dt=0.1 * u.ms, seed=0, precision=precision)
    net.add_population("p", model, 3, parameters={"a": couplings * u.nS})
    net.record("p", ["v", "w"])
    net.run(30 * u.ms)
    data = net.records()[0].states[0].data
    for neuron, coupling in enumerate(couplings):
        A = np.array([[-1 / 10e-3, -100e6 / 10e-3], [coupling * 1e-9 / 100e-3, -1 / 100e-3]])
        expected = np.array([[-70e-3, 0.0] + scipy.linalg.expm(A * n * 1e-4) @ [20e-3, 0.1e-9] for n in range(300)])
        np.testing.assert_allclose(data["v"][:, neuron], expected[:, 0], rtol=rtol)
        np.testing.assert_allclose(data["w"][:, neuron], expected[:, 1], rtol=rtol, atol=1e-24)
    source = codegen.generate(net._plan())
    assert source.count("exp_divided_difference((") == 4
    update = source[source.index("for n in range(n0, n1):"):]
    assert "exp_divided_difference" not in update and update.count("pc0[") == 4


def test_exact_on_a_loop_with_a_declared_variable_works_out_its_rates_again_only_when_it_changes():
    """``a : siemens`` declared in the equations, as a Brian2 user writes a per-neuron parameter: the same values,
    bit for bit, as ``a`` given per neuron as a parameter; and when a regular operation doubles ``a`` from 15 ms on,
    each stretch follows the matrix exponential of its own ``a`` (the divided differences are computed again in a
    step where ``a`` differs from the value they were computed from)."""
    from snnzoo.engine import codegen

    equations = """
        dv/dt = (E_L - v - R*w)/tau_m : volt
        dw/dt = (a*(v - E_L) - w)/tau_w : amp
        """
    shared = {"E_L": "-70 mV", "R": "100 Mohm", "tau_m": "10 ms", "tau_w": "100 ms"}
    start = {"v": "-50 mV", "w": "0.1 nA"}
    couplings = np.array([1.0, 5.0, 20.249999])
    declared = sz.NeuronModel("adaptive_leak_declared", equations + "a : siemens\na0 : siemens", shared, initial=start)
    given = sz.NeuronModel("adaptive_leak", equations, {**shared, "a": "1 nS"}, initial=start)
    runs = []
    for model, values in ((declared, {"initial": {"a": couplings * u.nS}}),
                          (given, {"parameters": {"a": couplings * u.nS}})):
        net = sz.Network(dt=0.1 * u.ms, seed=0)
        net.add_population("p", model, 3, **values)
        net.record("p", ["v", "w"])
        net.run(30 * u.ms)
        runs.append(net.records()[0].states[0].data)
        if model is declared:
            source = codegen.generate(net._plan())
    assert np.array_equal(runs[0]["v"], runs[1]["v"]) and np.array_equal(runs[0]["w"], runs[1]["w"])
    steps = source[source.index("for n in range(n0, n1):"):]
    assert steps.count("exp_divided_difference((") == 4
    assert steps.index("if x_a != ri0[0, i]:") < steps.index("exp_divided_difference((")

    net = sz.Network(dt=0.1 * u.ms, seed=0)
    couplings = couplings[:2]  # doubled, 20.249999 nS would oscillate
    net.add_population("p", declared, 2, initial={"a0": couplings * u.nS})
    net.run_regularly("p", "a = a0*(1 + int(t > 14.95*ms))")
    net.record("p", ["v", "w"])
    net.run(30 * u.ms)
    data = net.records()[0].states[0].data
    for neuron, coupling in enumerate(couplings):
        state, expected = np.array([20e-3, 0.1e-9]), []
        for n in range(300):  # the state at step n; the step from n to n + 1 uses a at step n
            expected.append(state)
            a = coupling * 1e-9 * (2 if n >= 150 else 1)
            A = np.array([[-1 / 10e-3, -100e6 / 10e-3], [a / 100e-3, -1 / 100e-3]])
            state = scipy.linalg.expm(A * 1e-4) @ state
        expected = np.array(expected) + [-70e-3, 0.0]
        np.testing.assert_allclose(data["v"][:, neuron], expected[:, 0], rtol=1e-11)
        np.testing.assert_allclose(data["w"][:, neuron], expected[:, 1], rtol=1e-10, atol=1e-24)

def test_exact_solves_a_synapse_models_clock_driven_loop_with_a_value_per_synapse():
    """x <-> y of a synapse, their coupling k set per synapse: each divided difference named once per synapse
    and step, against scipy's matrix exponential 49 steps after the spike."""
    loop = sz.SynapseModel("loop", """w : 1
        dx/dt = (-x - y)/(2*ms) : 1 (clock-driven)
        dy/dt = (k*x - y)/(5*ms) : 1 (clock-driven)
        k : 1""", on_pre="x += 1")
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_source("pre", sz.stimulus("spike_generator", times=[0] * u.ms))
    net.add_population("post", sz.NeuronModel("cell", "dv/dt = -v/(10*ms) : 1", {}), 1)
    net.connect("pre", "post", synapse=loop, all_to_all=True, weight=1, name="S").k = -0.1
    net.run(5 * u.ms)
    stored = net.result()["projections/S"].dataset
    A = np.array([[-1 / 2e-3, -1 / 2e-3], [-0.1 / 5e-3, -1 / 5e-3]])
    expected = scipy.linalg.expm(A * 49e-4) @ [1, 0]
    np.testing.assert_allclose([stored.x.values.ravel()[0], stored.y.values.ravel()[0]], expected, rtol=1e-11)


@pytest.mark.parametrize("points", [
    (0.0, 0.0, 0.0), (-0.01, -0.01, -0.01, -0.01, 0.0), (-0.01, -0.01 * (1 + 1e-9), -0.01 * (1 + 2e-9)),
    (-0.01, -0.005, -1 / 300), (-50.0, -50.1, -80.0), (1.0, 5.0, 30.0), (-3.0, 0.0, 2.0, 2.5), (0.7, -0.2),
    (-0.3,), (-0.2, -0.2), (-0.2, -0.2 * (1 + 1e-12)), (0.0, -800.0), (-2.0, 0.0, -2.0), (0.0, -0.0049, -0.0051),
    (0.0, -0.4, -1.3), (-0.005, 0.0, 0.005), (3.0, 2.9, 2.95), (0.0, -0.001, -0.002, -0.003),
])
def test_the_divided_difference_of_exp_is_within_1e_14_of_50_digit_arithmetic(points):
    """exp[z0, ..., zk] as the corner of the exponential of the bidiagonal matrix with the points on its
    diagonal (Opitz), in mpmath with 50 digits: the textbook quotient is NaN or noise for close points."""
    import mpmath  # sympy's own dependency

    from snnzoo.engine.runtime import exp_divided_difference
    with mpmath.workdps(50):
        bidiagonal = mpmath.matrix(len(points))
        for q, point in enumerate(points):
            bidiagonal[q, q] = point
            if q:
                bidiagonal[q - 1, q] = 1
        expected = float(mpmath.expm(bidiagonal)[0, len(points) - 1])
    assert exp_divided_difference(points) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("precision", ["double", "single"])
@pytest.mark.parametrize("relative_difference", [0, 1e-9, 1e-3])
def test_exact_is_exact_when_three_or_more_time_constants_in_a_chain_are_equal_or_nearly(relative_difference,
                                                                                         precision):
    """A chain x -> y -> z -> w fed by a constant: the terms of z and w have three to five rates (a constant's
    is 0). They divided by differences of the time constants: NaN in the first step when three were equal,
    and NaN too at a relative difference of 1e-6 (the expanded denominator rounded to 0)."""
    taus = [10e-3 * (1 + relative_difference * q) for q in range(4)]
    model = sz.NeuronModel("chain", """
        dx/dt = (x0 - x)/t0 : 1
        dy/dt = (x - y)/t1 : 1
        dz/dt = (y - z)/t2 : 1
        dw/dt = (z - w)/t3 : 1
        """, {"x0": 2, **{f"t{q}": tau * u.second for q, tau in enumerate(taus)}}, initial={"x": 1})
    net = sz.Network(dt=0.1 * u.ms, seed=0, precision=precision)
    net.add_population("p", model, 1, integrator="exact")
    net.record("p", ["x", "y", "z", "w"])
    net.run(20 * u.ms)
    data = net.records()[0].states[0].data
    augmented = np.zeros((5, 5))  # [[A, b], [0, 0]]: the last column carries the constant x0/t0
    for q, tau in enumerate(taus):
        augmented[q, q] = -1 / tau
        if q:
            augmented[q, q - 1] = 1 / tau
    augmented[0, 4] = 2 / taus[0]
    expected = np.array([(scipy.linalg.expm(augmented * n * 1e-4) @ [1, 0, 0, 0, 1])[:4] for n in range(200)])
    got = np.stack([data[v][:, 0] for v in ("x", "y", "z", "w")], axis=1)
    if precision == "double":
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    else:
        np.testing.assert_allclose(got, expected, rtol=2e-5, atol=1e-6)


def test_exact_matches_brian2_step_for_step_on_the_cuba_neuron():
    ref = reference("exact_cuba_neuron")
    net = sz.Network(dt=ref["dt"] * u.second, seed=0)
    net.add_population("cuba", CUBA, 3, initial={"v": ref["initial_v"] * u.volt}, integrator="exact")
    for name, times, var, weight in (("exc", ref["exc_times"], "ge", ref["weights"]["we"]),
                                     ("inh", ref["inh_times"], "gi", ref["weights"]["wi"])):
        net.add_source(name, sz.stimulus("spike_generator", times=times * u.second, indices=[0] * len(times)))
        net.connect(name, "cuba", on=var, weight=weight * u.volt, all_to_all=True)
    net.record("cuba", ["v", "ge", "gi"])
    net.run(ref["duration"] * u.second)
    record = net.records()[0]
    for var in ("v", "ge", "gi"):
        np.testing.assert_allclose(record.states[0].data[var].T, ref["traces"][var], rtol=0, atol=1e-14)
    assert steps_of(record).tolist() == ref["spike_steps"]
    assert record.spike_neurons.tolist() == ref["spike_neurons"]


@pytest.mark.parametrize("equations, fragment", [
    ("dv/dt = (ge*(Ee - v) + EL - v)/tau : volt\ndge/dt = -ge/tau : 1",
     "dv/dt ('dv/dt = (ge*(Ee - v) + EL - v)/tau : volt') is not linear in the state variables (v, ge): it has a "
     "term in ge*v; 'exact' needs"),
    ("dv/dt = (EL - v + exp(v/mV)*mV)/tau : volt", "dv/dt ('dv/dt = (EL - v + exp(v/mV)*mV)/tau : volt') is not linear "
                                                   "in the state variables (v): it has a term in exp(1000.0*v)"),
    # the term was quoted as the SI numbers made it: '-1000.0*v**2/tau'
    ("dv/dt = (EL - v)/tau*v/mV : volt", "it has a term in v**2;"),
    ("dv/dt = (EL - v + sin(t/tau)*mV)/tau : volt", "dv/dt depends on the time t"),
    ("dv/dt = (EL - v)/tau + mV*xi/sqrt(tau) : volt", "white noise"),
    ("dv/dt = -w/tau : volt\ndw/dt = v/tau : volt", "complex eigenvalues"),
])
def test_exact_refuses_what_it_cannot_solve(equations, fragment):
    model = sz.NeuronModel("bad", equations, {"tau": "10 ms", "EL": "-70 mV", "Ee": "0 mV"})
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("b", model, 1, integrator="exact")
    with pytest.raises(EquationError, match=f"^model 'bad': .*{re.escape(fragment)}"):
        net.run(1 * u.ms)
    assert net.step == 0


# -- Heun and Milstein -------------------------------------------------------------------------------------------

GBM_MODEL = sz.NeuronModel("gbm", "dx/dt = mu*x + sigma*x*xi : 1", {"mu": 0.5 * u.Hz, "sigma": 0.5 * u.Hz**0.5},
                           initial={"x": 1})


def gbm_final(method: str, seed: int) -> np.ndarray:
    ref = reference("stratonovich_gbm")
    net = sz.Network(dt=ref["dt"] * u.second, seed=seed)
    pop = net.add_population("g", GBM_MODEL, ref["n"], integrator=method)
    net.run(ref["duration"] * u.second)
    return pop.get("x").magnitude


@pytest.mark.parametrize("method", ["heun", "milstein", None])
def test_multiplicative_noise_is_stratonovich_like_brian2(method):
    """dx = mu x dt + sigma x o dW: log x(T) ~ N(mu T, sigma^2 T) (Stratonovich); Ito would give (mu - sigma^2/2) T.
    With no integrator named, heun is chosen, as Brian2 chooses it."""
    ref = reference("stratonovich_gbm")
    mu, sigma, T, n = ref["mu"], ref["sigma"], ref["duration"], ref["n"]
    logs = np.concatenate([np.log(gbm_final(method, seed)) for seed in (1, 2)])
    standard_error = sigma * math.sqrt(T) / math.sqrt(logs.size)
    assert abs(logs.mean() - mu * T) < 4 * standard_error
    assert logs.std(ddof=1) == pytest.approx(sigma * math.sqrt(T), rel=0.05)
    brian = np.array([s["mean_log_x"] for s in ref["per_seed"][method or "heun"]])
    brian_error = sigma * math.sqrt(T) / math.sqrt(n * brian.size)
    assert abs(logs.mean() - brian.mean()) < 4 * math.hypot(standard_error, brian_error)


def test_euler_maruyama_stays_ito_on_the_same_equation():
    ref = reference("stratonovich_gbm")
    logs = np.log(gbm_final("euler_maruyama", 1))
    ito = (ref["mu"] - ref["sigma"] ** 2 / 2) * ref["duration"]
    assert abs(logs.mean() - ito) < 4 * ref["sigma"] / math.sqrt(logs.size)


def test_milstein_has_strong_order_one_with_drift():
    """dx = mu x dt + sigma x o dW on the same Brownian paths: the mean path error against x0 exp(mu T + sigma W)
    falls 4-fold from dt = T/32 to T/128. Brian2's one-sided difference gave 1.8-fold (strong order 1/2)."""
    from snnzoo.language.integrators import DT, Milstein, OdeSystem, T, new_symbol
    from snnzoo.language.expressions import symbol
    x, xi = symbol("x"), symbol("xi")
    statements = Milstein().update(OdeSystem([x], {x: 0.5 * x}, {x: {"xi": x}}, {"xi": xi}))
    increments = np.random.default_rng(0).normal(0, math.sqrt(1 / 256), (2000, 256))
    exact = np.exp(0.5 + increments.sum(axis=1))
    errors = []
    for steps in (32, 128):
        dw = increments.reshape(2000, steps, -1).sum(axis=2)
        values = np.ones(2000)
        for k in range(steps):
            env = {x: values, DT: 1 / steps, T: k / steps, xi: dw[:, k] * math.sqrt(steps)}
            for name, expression in statements:
                env[name] = sympy.lambdify(list(env), expression, "numpy")(*env.values())
            values = env[new_symbol(x)]
        errors.append(np.abs(values - exact).mean())
    assert errors[0] / errors[1] == pytest.approx(4, rel=0.1)


def test_milstein_needs_diagonal_noise():
    model = sz.NeuronModel("two", "dx/dt = -x/tau + x*xi_a/sqrt(tau) + xi_b/sqrt(tau) : 1", {"tau": "10 ms"})
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("t", model, 1, integrator="milstein")
    with pytest.raises(EquationError, match="'milstein' needs diagonal noise .* dx/dt uses xi_a, xi_b"):
        net.run(1 * u.ms)


# -- writes while refractory ----------------------------------------------------------------------------------------


def refractory_input_network(ref: dict, connection: dict | None = None) -> sz.Network:
    """Brian2's refractory-input network; ``connection`` says how the input reaches v (default ``on="v"``)."""
    model = sz.NeuronModel("lif", "dv/dt = (El - v)/tau : volt (unless refractory)",
                           {"El": ref["El"] * u.volt, "tau": ref["tau"] * u.second, "Vt": ref["Vt"] * u.volt,
                            "Vr": ref["Vr"] * u.volt},
                           threshold="v > Vt", reset="v = Vr", refractory=ref["refractory"] * u.second,
                           initial={"v": "El"})
    net = sz.Network(dt=ref["dt"] * u.second, seed=0)
    net.add_population("n", model, 1)
    times = ref["first"] + ref["interval"] * np.arange(ref["count"])
    net.add_source("input", sz.stimulus("spike_generator", times=times * u.second, indices=[0] * ref["count"]))
    net.connect("input", "n", weight=ref["jump"] * u.volt, all_to_all=True, **(connection or {"on": "v"}))
    net.record("n", "v")
    return net


@pytest.mark.parametrize("connection", [{"on": "v"}, {"synapse": sz.SynapseModel("kick", "w : volt", on_pre="v += w")}],
                         ids=["on", "synapse_model"])
def test_synaptic_input_is_dropped_while_refractory_like_brian2(connection):
    """Brian2 makes every write to an '(unless refractory)' variable conditional on not being
    refractory: the 4 mV inputs arriving during the 5 ms after a spike are lost (17 spikes, not more);
    also from a synapse model's on_pre (it wrote v regardless: 33 spikes)."""
    ref = reference("refractory_input")
    net = refractory_input_network(ref, connection)
    net.run(ref["duration"] * u.second)
    record = net.records()[0]
    assert steps_of(record).tolist() == ref["spike_steps"]
    np.testing.assert_allclose(record.states[0].data["v"][:, 0], ref["v"], rtol=0, atol=1e-15)
    first = ref["spike_steps"][0]
    np.testing.assert_array_equal(record.states[0].data["v"][first + 1: first + 51, 0], ref["Vr"])


# -- linked variables -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reader_first", [True, False])
def test_linked_variable_reads_the_start_of_step_value_in_any_order(reader_first):
    ref = reference("linked_variable")
    source = sz.NeuronModel("source", "dx/dt = (1 - x)/tau_x : 1", {"tau_x": ref["tau_x"] * u.second})
    reader = sz.NeuronModel("reader", "dv/dt = (y - v)/tau_v : 1\ny : 1 (linked)", {"tau_v": ref["tau_v"] * u.second})
    net = sz.Network(dt=ref["dt"] * u.second, seed=0, integrator="euler")
    order = [("reader", reader), ("source", source)]
    for name, model in (order if reader_first else order[::-1]):
        net.add_population(name, model, 1)
    net.link("reader", "y", "source", "x")
    net.record("reader", ["v", "y"])
    net.run(ref["duration"] * u.second)
    data = net.records()[0 if reader_first else 1].states[0].data
    np.testing.assert_allclose(data["y"][:, 0], ref["y"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(data["v"][:, 0], ref["v"], rtol=0, atol=1e-15)


# -- refractoriness as a per-neuron period or a condition ----------------------------------------------------------


def refractory_forms_model(ref: dict, refractory) -> sz.NeuronModel:
    return sz.NeuronModel("lif_tref", "dv/dt = (v_inf - v)/tau : volt (unless refractory)\ntref : second",
                          {"tau": ref["tau"] * u.second, "v_inf": ref["v_inf"] * u.volt, "Vt": ref["Vt"] * u.volt,
                           "Vr": ref["Vr"] * u.volt},
                          threshold="v > Vt", reset="v = Vr", refractory=refractory, initial={"v": "Vr"})


@pytest.mark.parametrize("form", ["expression", "array"])
def test_per_neuron_refractory_period_like_brian2(form):
    """Brian2's refractory='tref' with one tref per neuron; the same given as an array to add_population."""
    ref = reference("refractory_forms")
    net = sz.Network(dt=ref["dt"] * u.second, seed=0)
    if form == "expression":
        net.add_population("period", refractory_forms_model(ref, "tref"), 3, initial={"tref": ref["tref"] * u.second})
    else:
        net.add_population("period", refractory_forms_model(ref, None), 3, refractory=ref["tref"] * u.second)
    net.run(ref["duration"] * u.second)
    record = net.records()[0]
    assert steps_of(record).tolist() == ref["period_spike_steps"]
    assert record.spike_neurons.tolist() == ref["period_spike_neurons"]


@pytest.mark.parametrize("method", ["exact", "rk2", "rk4", "euler", "heun", "exponential_euler"])
def test_a_variable_fed_by_a_held_one_integrates_it_constant_while_refractory_like_brian2(method):
    """w is fed by v, which is held while refractory: Brian2 integrates w with v constant through the step.
    exact, rk2 and rk4 integrated the pair with v moving and held v only at the end (w 0.5 % off, 6.58 pA
    against 6.62 pA 5 ms after a spike); euler, heun and exponential_euler read the held v anyway."""
    ref = reference("refractory_coupled")
    parameters = {name: ref[name] * unit for name, unit in [("E_L", u.volt), ("R", u.ohm), ("tau_m", u.second),
                  ("a", u.siemens), ("tau_w", u.second), ("I", u.amp), ("V_th", u.volt), ("V_r", u.volt)]}
    model = sz.NeuronModel("coupled", "dv/dt = (E_L - v - R*w + R*I)/tau_m : volt (unless refractory)\n"
                                      "dw/dt = (a*(v - E_L) - w)/tau_w : amp", parameters, threshold="v > V_th",
                           reset="v = V_r", refractory=ref["refractory"] * u.second, initial={"v": "E_L"},
                           integrator=method)
    net = sz.Network(dt=ref["dt"] * u.second, seed=0)
    net.add_population("p", model, 1)
    net.record("p", ["v", "w"])
    net.run(ref["duration"] * u.second)
    record, expected = net.records()[0], ref["traces"][method]
    assert steps_of(record).tolist() == expected["spike_steps"]
    data = record.states[0].data
    np.testing.assert_allclose(data["w"][:, 0], expected["w"], rtol=1e-9, atol=0)
    np.testing.assert_allclose(data["v"][:, 0], expected["v"], rtol=1e-9, atol=0)


def test_a_refractory_period_between_steps_lasts_the_steps_it_contains_like_brian2():
    """0.27 ms at dt = 0.1 ms is 2 steps, as Brian2's timestep() counts it (rounding gave 3), per neuron
    and as one time; the neurons are above threshold whenever they are not refractory."""
    ref = reference("refractory_between_steps")
    equations = "dv/dt = 1/ms : 1 (unless refractory)"
    per_neuron = sz.NeuronModel("per_neuron", equations + "\ntref : second (constant)", {}, threshold="v > -1",
                                reset="v = 0", refractory="tref")
    one = sz.NeuronModel("one", equations, {}, threshold="v > -1", reset="v = 0", refractory=ref["refractory"] * u.second)
    net = sz.Network(dt=ref["dt"] * u.second, seed=0)
    net.add_population("per_neuron", per_neuron, len(ref["tref"]), initial={"tref": ref["tref"] * u.second},
                       integrator="euler")
    net.add_population("one", one, 1, integrator="euler")
    net.run(ref["duration"] * u.second)
    per_neuron_record, one_record = net.records()
    assert steps_of(per_neuron_record).tolist() == ref["per_neuron_spike_steps"]
    assert per_neuron_record.spike_neurons.tolist() == ref["per_neuron_spike_neurons"]
    assert steps_of(one_record).tolist() == ref["one_spike_steps"]


def test_a_refractory_period_follows_a_variable_the_run_changes_like_brian2():
    """refractory='tref + 0.5*ms*i' with tref lengthened by the reset, or by a regular operation every 10 ms:
    Brian2 reads the period in every step. It was evaluated when the network was built (15 spikes at a
    constant period where Brian2 has 9)."""
    ref = reference("refractory_changing")
    def model(reset: str) -> sz.NeuronModel:
        return sz.NeuronModel("lif_tref", "dv/dt = (v_inf - v)/tau : volt (unless refractory)\ntref : second",
                              {"tau": ref["tau"] * u.second, "v_inf": ref["v_inf"] * u.volt, "Vt": ref["Vt"] * u.volt,
                               "Vr": ref["Vr"] * u.volt}, threshold="v > Vt", reset=reset,
                              refractory="tref + 0.5*ms*i", initial={"v": "Vr", "tref": ref["tref"] * u.second})
    net = sz.Network(dt=ref["dt"] * u.second, seed=0)
    net.add_population("reset", model("v = Vr; tref += 1*ms"), 2)
    net.add_population("regular", model("v = Vr"), 2)
    net.run_regularly("regular", "tref += 2*ms", dt=10 * u.ms)
    net.run(ref["duration"] * u.second)
    for record in net.records():
        expected = ref["groups"][record.name]
        assert steps_of(record).tolist() == expected["spike_steps"]
        assert record.spike_neurons.tolist() == expected["spike_neurons"]


def test_refractory_period_follows_a_parameter_set_between_runs():
    ref = reference("refractory_forms")
    model = sz.NeuronModel("lif_tref", "dv/dt = (v_inf - v)/tau : volt (unless refractory)",
                           {"tau": ref["tau"] * u.second, "v_inf": ref["v_inf"] * u.volt, "Vt": ref["Vt"] * u.volt,
                            "Vr": ref["Vr"] * u.volt, "tref": 1 * u.ms},
                           threshold="v > Vt", reset="v = Vr", refractory="tref", initial={"v": "Vr"})
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    pop = net.add_population("p", model, 1)
    net.run(100 * u.ms)
    first = steps_of(net.records()[0])
    pop.set("tref", 7 * u.ms)
    net.run(100 * u.ms)
    steps = steps_of(net.records()[0])
    later = np.diff(steps[steps >= 1000])
    assert np.diff(first).min() < later.min()
    assert np.diff(first)[1] == ref["period_spike_steps"][3] - ref["period_spike_steps"][0]  # tref 1 ms: every 170 steps
    assert later[1] == ref["period_spike_steps"][8] - ref["period_spike_steps"][5]  # tref 7 ms: every 230 steps


@pytest.mark.parametrize("declared", ["", "\ntref : second"])
def test_refractory_period_follows_a_variable_set_between_runs(declared):
    """refractory='tref' with tref a parameter, or a declared variable (whose new value was ignored: the
    period stayed 1 ms). Brian2 2.9 (numpy target, exact) gives spikes at these steps for the same script:
    run 3 ms with tref = 1 ms, set tref = 0.2 ms, run 7 ms."""
    parameters = {} if declared else {"tref": 1 * u.ms}
    model = sz.NeuronModel("tref_set", "dv/dt = (20*mV - v)/(1*ms) : volt (unless refractory)" + declared,
                           parameters, threshold="v > 10*mV", reset="v = 0*mV", refractory="tref",
                           initial={"tref": "1 ms"} if declared else {})
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    pop = net.add_population("p", model, 1)
    net.run(3 * u.ms)
    pop.set("tref", 0.2 * u.ms)
    net.run(7 * u.ms)
    assert steps_of(net.records()[0]).tolist() == [6, 22, 36, 44, 52, 60, 68, 76, 84, 92]


def test_refractory_condition_like_brian2():
    """refractory='v > Vt': the reset puts v above threshold, and the neuron stays refractory until it falls below."""
    ref = reference("refractory_forms")
    model = sz.NeuronModel("condition", "dv/dt = (v_inf - w - v)/tau : volt\ndw/dt = -w/tau_w : volt",
                           {k: ref[k] * (u.second if k.startswith("tau") else u.volt)
                            for k in ("tau", "v_inf", "Vt", "tau_w", "jump_v", "jump_w")},
                           threshold="v > Vt", reset="v = jump_v; w += jump_w", refractory="v > Vt",
                           initial={"v": ref["Vr"] * u.volt})
    net = sz.Network(dt=ref["dt"] * u.second, seed=0)
    net.add_population("condition", model, 1)
    net.record("condition", "v")
    net.run(ref["duration"] * u.second)
    record = net.records()[0]
    assert steps_of(record).tolist() == ref["condition_spike_steps"]
    np.testing.assert_allclose(record.states[0].data["v"][:, 0], ref["condition_v"], rtol=0, atol=1e-14)
    assert "Refractory: v > Vt" in model.describe()


def test_a_refractory_period_may_read_the_neuron_index_like_brian2():
    """Brian2's refractory='(1 + i)*ms' was refused ("uses i; a refractory period may use parameters and declared
    variables only"). Brian2 2.9 (numpy target, euler, 100 ms) gives 12, 11 and 10 spikes and these final v."""
    model = sz.NeuronModel("indexed", "dv/dt = (2 - v)/tau : 1 (unless refractory)", {"tau": "10 ms"},
                           threshold="v > 1", reset="v = 0", refractory="(1 + i)*ms", integrator="euler")
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    pop = net.add_population("p", model, 3)
    net.run(100 * u.ms)
    assert net.result()["p"].to_dataset().spike_count.values.tolist() == [12, 11, 10]
    np.testing.assert_allclose(pop.v.magnitude, [0.9488070249488754, 0.5500393280842927, 0.36418612480553825],
                               rtol=1e-12)


@pytest.mark.parametrize("refractory, message", [
    ("v", "refractory 'v': a value in V [voltage]; expected a time (e.g. '2 ms' or 'tref') or a condition"),
    ("3 mV", "refractory: expected dimension [time]"),
    ("tau*v/mV", "refractory 'tau*v/mV': uses v; a refractory period may use parameters, declared variables, i, N and "
                 "dt only"),
    ("tref2", "refractory 'tref2': undefined symbol 'tref2'"),
])
def test_bad_refractory_settings_are_one_line_errors(refractory, message):
    with pytest.raises(SnnzooError, match=f"^model 'b': {re.escape(message)}"):
        sz.NeuronModel("b", "dv/dt = -v/tau : volt (unless refractory)", {"tau": "10 ms"}, threshold="v > 1*mV",
                       refractory=refractory)


def test_a_refractory_period_that_draws_random_numbers_is_refused():
    """'rand()*5*ms' was drawn once per neuron when the network was built, where Brian2 draws it anew
    at every step: the same text meant something else."""
    with pytest.raises(ConfigError, match=re.escape("refractory 'rand()*5*ms': draws random numbers, but a refractory "
                                                    "period is evaluated once per neuron (Brian2 draws anew at every step)")):
        sz.NeuronModel("m", "dv/dt = (20*mV - v)/(10*ms) : volt (unless refractory)", {}, threshold="v > 10*mV",
                       reset="v = 0*mV", refractory="rand()*5*ms")


def test_refractory_array_of_the_wrong_size_or_sign():
    net = sz.Network(dt=0.1 * u.ms)
    with pytest.raises(UnitError, match=r"^population 'p': refractory: expected one time or 2 times, got shape \(3,\)"):
        net.add_population("p", "lif", 2, refractory=[1, 2, 3] * u.ms)
    with pytest.raises(UnitError, match="^population 'q': refractory: must be >= 0"):
        net.add_population("q", "lif", 2, refractory=[1, -2] * u.ms)


def test_n_in_initial_value_expressions():
    model = sz.NeuronModel("ramp", "dv/dt = -v/tau : volt", {"tau": "10 ms"})
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    pop = net.add_population("p", model, 4, initial={"v": "-70*mV + 20*mV*i/(N - 1)"})
    np.testing.assert_allclose(pop.get("v").magnitude, [-0.070, -0.070 + 0.020 / 3, -0.070 + 0.040 / 3, -0.050])


# -- PoissonInput ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count, rate_hz", [(1000, 5.0), (1000, 200.0)])  # inversion (N p = 0.5), normal (N p = 20)
def test_poisson_input_adds_weight_times_a_binomial_count(count, rate_hz):
    """v integrates exactly, so v(t_n) = w * sum_k K_k exp(-(n - 1 - k) dt/tau) with K_k ~ Binomial(N, rate dt):
    the mean and variance of v at the end are known in closed form."""
    dt, tau, weight, n = 1e-4, 10e-3, 1e-4, 1000
    model = sz.NeuronModel("leak", "dv/dt = -v/tau : volt", {"tau": tau * u.second})
    net = sz.Network(dt=dt * u.second, seed=4)
    pop = net.add_population("p", model, 4000)
    net.add_poisson_input("p", "v", N=count, rate=rate_hz * u.Hz, weight=weight * u.volt)
    net.run(n * dt * u.second)
    v = pop.get("v").magnitude
    p, decay = rate_hz * dt, np.exp(-dt / tau) ** np.arange(n)
    mean, variance = weight * count * p * decay.sum(), weight**2 * count * p * (1 - p) * (decay**2).sum()
    assert abs(v.mean() - mean) < 4 * math.sqrt(variance / v.size)
    assert v.var(ddof=1) == pytest.approx(variance, rel=0.1)


def test_poisson_input_is_dropped_while_refractory():
    model = sz.NeuronModel("lif", "dv/dt = -v/tau : volt (unless refractory)",
                           {"tau": "20 ms", "Vt": "1 mV"}, threshold="v > Vt", reset="v = 0*mV", refractory="50 ms")
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    pop = net.add_population("p", model, 100)
    net.add_poisson_input("p", "v", N=1000, rate=100 * u.Hz, weight=0.1 * u.mV)
    net.run(20 * u.ms)  # every neuron has spiked within a few steps and is refractory since
    assert (net.records()[0].spike_counts == 1).all()
    np.testing.assert_array_equal(pop.get("v").magnitude, 0.0)


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"target": "w"}, "UnknownNameError", "unknown target variable of Poisson input 'poisson_input_0' on population 'p'"),
    ({"weight": 1 * u.nA}, "UnitError", "Poisson input 'poisson_input_0': weight (onto 'v', in V): expected dimension [voltage]"),
    ({"rate": 20 * u.kHz}, "ConfigError", "rate*dt = 2 per step; expected rate*dt < 1"),
    ({"N": 0}, "ConfigError", "Poisson input 'poisson_input_0': N (the number of inputs): expected a whole number >= 1, got 0"),
    ({"N": True}, "ConfigError", "N (the number of inputs): expected a whole number, got True"),
    ({"N": 2.5}, "ConfigError", "N (the number of inputs): expected a whole number, got 2.5 (it would be truncated)"),
    ({"rate": 5}, "UnitError", "rate: expected a quantity of dimension [frequency]"),
    ({"rate": -5 * u.Hz}, "ValueRangeError", "Poisson input 'poisson_input_0': rate: must be >= 0 (a [frequency] quantity), got -5 Hz"),
    ({"rate": [5, 10] * u.Hz}, "ConfigError", "rate: expected a single value (e.g. '1 Hz'), got an array of 2"),
])
def test_poisson_input_bad_arguments(kwargs, error, fragment):
    net = sz.Network(dt=0.1 * u.ms)
    net.add_population("p", sz.NeuronModel("x", "dv/dt = -v/tau : volt", {"tau": "10 ms"}), 2)
    arguments = {"target": "v", "N": 10, "rate": 5 * u.Hz, "weight": 1 * u.mV, **kwargs}
    with pytest.raises(SnnzooError, match=re.escape(fragment)) as caught:
        net.add_poisson_input("p", **arguments)
    assert type(caught.value).__name__ == error and "\n" not in str(caught.value)


def test_a_poisson_input_at_0_hz_adds_nothing():
    """It was refused ("expected a positive finite [frequency] quantity, got 0 Hz"), so a sweep over the input
    rate could not start at 0; Brian2 takes rate=0*Hz, and so does poisson_group."""
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    pop = net.add_population("p", sz.NeuronModel("x", "dv/dt = -v/tau : volt", {"tau": "10 ms"}), 2)
    net.add_poisson_input("p", "v", 100, 0 * u.Hz, 1 * u.mV)
    net.run(5 * u.ms)
    np.testing.assert_array_equal(pop.get("v").magnitude, 0.0)


def test_poisson_input_weight_may_name_a_parameter_like_brian2():
    """Brian2's PoissonInput(G, 'v', N, rate, weight='J') read 'J' as pint's joule here: "expected dimension
    [voltage], got 1 J of dimension [mass] * [length] ** 2 / [time] ** 2"."""
    net = sz.Network(dt=0.1 * u.ms)
    pop = net.add_population("p", sz.NeuronModel("x", "dv/dt = -v/tau : volt", {"tau": "10 ms", "J": "0.1 mV"}), 2)
    assert net.add_poisson_input("p", "v", 10, 5 * u.Hz, "J").weight == pytest.approx(1e-4, rel=1e-15)
    assert net.add_poisson_input("p", "v", 10, 5 * u.Hz, "2*J").weight == pytest.approx(2e-4, rel=1e-15)
    with pytest.raises(SnnzooError, match=re.escape("weight (onto 'v', in V): 'v' reads 'v', which changes during "
                                                    "the run; expected a quantity or an expression of parameters")):
        net.add_poisson_input("p", "v", 10, 5 * u.Hz, "v")
    pop.set("J", [0.1, 0.2] * u.mV)
    with pytest.raises(SnnzooError, match=re.escape("weight (onto 'v', in V): 'J' differs between the neurons of "
                                                    "'p'; expected one value")):
        net.add_poisson_input("p", "v", 10, 5 * u.Hz, "J")


def test_poisson_input_takes_a_whole_number_of_any_type_as_n():
    """N = numpy.int64(10) (a count from an array) or 10.0 was refused: "N must be a positive integer"."""
    net = sz.Network(dt=0.1 * u.ms)
    net.add_population("p", sz.NeuronModel("x", "dv/dt = -v/tau : volt", {"tau": "10 ms"}), 2)
    for count in (np.int64(10), 10.0):
        assert net.add_poisson_input("p", "v", count, 5 * u.Hz, 1 * u.mV).count == 10


# -- changes between runs -------------------------------------------------------------------------------------------


def noisy_delayed_network(seed: int = 3) -> sz.Network:
    model = sz.NeuronModel("noisy", "dv/dt = (mu - v + sigma*sqrt(tau)*xi)/tau : volt (unless refractory)",
                           {"tau": "10 ms", "mu": "22 mV", "sigma": "4 mV", "theta": "20 mV", "Vr": "10 mV"},
                           threshold="v > theta", reset="v = Vr", refractory="2 ms")
    net = sz.Network(dt=0.1 * u.ms, seed=seed)
    net.add_population("g", model, 200)
    net.connect("g", "g", on="v", weight=0.5 * u.mV, op="-=", p=0.05, delay=1.5 * u.ms)
    net.connect("g", "g", on="v", weight=0.5 * u.mV, op="-=", p=0.05, delay="1*ms + 0.1*ms*(i % 4) + 0.1*ms*(j % 3)")
    return net


def test_a_monitor_added_between_runs_changes_nothing_else():
    whole = noisy_delayed_network()
    whole.record("g", "v", neurons=[0, 1])
    whole.run(40 * u.ms)
    split = noisy_delayed_network()
    split.run(20 * u.ms)
    split.record("g", "v", neurons=[0, 1], rate=5 * u.kHz)  # spikes in flight, noise stream: all carry over
    split.run(20 * u.ms)
    a, b = whole.records()[0], split.records()[0]
    np.testing.assert_array_equal(a.spike_times, b.spike_times)
    np.testing.assert_array_equal(a.spike_neurons, b.spike_neurons)
    state = b.states[0]
    np.testing.assert_allclose(state.times, np.arange(200, 400, 2) * 1e-4)
    np.testing.assert_array_equal(state.data["v"], a.states[0].data["v"][200::2])
    assert split.provenance()["monitors"][0]["start_step"] == 200


def test_a_stimulus_and_per_neuron_parameters_added_between_runs():
    lif = sz.NeuronModel("lif", "dv/dt = (EL - v + R*I)/tau : volt\nI : amp",
                         {"EL": "-70 mV", "R": "100 Mohm", "tau": "10 ms"}, initial={"v": "EL"})
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    pop = net.add_population("p", lif, 2)
    net.record("p", "v")
    net.run(10 * u.ms)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=100 * u.pA), "p")
    pop.set("tau", [5, 20] * u.ms)  # a shared parameter becomes per-neuron
    net.run(10 * u.ms)
    v = net.records()[0].states[0].data["v"]
    np.testing.assert_array_equal(v[:101], -0.070)
    t = np.arange(100) * 1e-4
    expected = -0.070 + 0.010 * (1 - np.exp(-t[:, None] / np.array([5e-3, 20e-3])))
    np.testing.assert_allclose(v[100:], expected, rtol=0, atol=1e-15)


def test_values_of_a_slice_set_between_runs_like_brian2():
    # Brian2's G[1:3].v = ..., G[2:].tau = ... between runs: only those neurons change, the others keep their
    # state (it was refused: "a slice cannot set 'v'")
    dt, tau = 1e-4, 0.010
    net = sz.Network(dt=dt * u.second, seed=0)
    pop = net.add_population("d", sz.NeuronModel("decay", "dx/dt = -x/tau : 1", {"tau": tau * u.second}), 4)
    pop.set("x", 1)
    net.run(1 * u.ms)
    pop[1:3].x = [2, 3]
    pop[2:].tau = 20 * u.ms  # a shared parameter becomes per-neuron for the rest of the run
    assert pop[2:].tau.to("ms").magnitude.tolist() == [20, 20]
    net.run(1 * u.ms)
    decayed = np.exp(-10 * dt / tau)
    np.testing.assert_allclose(pop.x.magnitude, [decayed**2, 2 * decayed, 3 * np.exp(-10 * dt / 0.020),
                                                 decayed * np.exp(-10 * dt / 0.020)], rtol=1e-12)
    pop[:2].x = "i + N"  # i and N of the whole population, as in every expression of a population
    assert pop[:2].x.magnitude.tolist() == [4, 5]
    assert pop.to_dict()["parameters"]["tau"] == {"value": [0.01, 0.01, 0.02, 0.02], "unit": "s"}


# -- delays and weights as expressions of i and j -----------------------------------------------------------------


def test_delay_and_weight_expressions_and_rounding_like_brian2():
    ref = reference("delay_expressions")
    net = sz.Network(dt=ref["dt"] * u.second, seed=0)
    net.add_source("source", sz.stimulus("spike_generator", times=ref["spike_times"] * u.second, indices=[0, 1, 2]))
    counter = sz.NeuronModel("counter", "v : 1", {})
    for name in ("exact", "rounded"):
        net.add_population(name, counter, 4)
        net.connect("source", name, on="v", weight="10**i", delay=ref[name], all_to_all=True,
                    round_delays=name == "rounded")
        net.record(name, "v")
    net.run(ref["duration"] * u.second)
    for k, name in enumerate(("exact", "rounded"), start=1):
        np.testing.assert_array_equal(net.records()[k].states[0].data["v"].T, ref["v"][name])


def test_delays_that_are_not_multiples_of_dt_need_round_delays():
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_source("s", sz.stimulus("spike_generator", times=[1] * u.ms, indices=[0]))
    net.add_population("p", sz.NeuronModel("counter", "v : 1", {}), 2)
    with pytest.raises(sz.ConfigError, match=re.escape("delay 0.25 ms is not a multiple of dt = 0.1 ms (nearest: 0.2 ms "
                                                       "or 0.3 ms; round_delays=True rounds to the nearest)")):
        net.connect("s", "p", on="v", weight=1, delay="0.25*ms*(j + 1)", all_to_all=True)
    message = "delay: '2*mV*i' is in mV [voltage] but the delay is in s [time]"
    with pytest.raises(sz.ConfigError, match=re.escape(message)):
        net.connect("s", "p", on="v", weight=1, delay="2*mV*i", all_to_all=True)
    with pytest.raises(sz.ConfigError, match="delay -1 ms is negative"):
        net.connect("s", "p", on="v", weight=1, delay="(j - 1)*ms", all_to_all=True)


def test_rounded_delays_beyond_the_longest_delay_are_refused():
    # with round_delays=True, 1e9 s (1e13 steps) wrapped around to -2147483648 steps in silence
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_source("s", sz.stimulus("spike_generator", times=[1] * u.ms, indices=[0]))
    net.add_population("p", sz.NeuronModel("counter", "v : 1", {}), 2)
    with pytest.raises(sz.ConfigError, match=re.escape("delay 1e+09 s is 1e+13 steps of dt; at most 2147483647 steps")):
        net.connect("s", "p", on="v", weight=1, delay=1e9 * u.s, all_to_all=True, round_delays=True)


# -- run_regularly ------------------------------------------------------------------------------------------------


def test_run_regularly_like_brian2():
    """A 3 mV kick every 1 ms (dropped while refractory) step for step, and v redrawn every 1 ms."""
    ref = reference("regular_operations")
    params = {"tau": ref["tau"] * u.second, "El": ref["El"] * u.volt, "Vt": ref["Vt"] * u.volt,
              "Vr": ref["Vr"] * u.volt, "kick": ref["kick"] * u.volt, "sigma": ref["sigma"] * u.volt}
    net = sz.Network(dt=ref["dt"] * u.second, seed=1)
    kicked = sz.NeuronModel("kicked", "dv/dt = (El - v)/tau : volt (unless refractory)", params,
                            threshold="v > Vt", reset="v = Vr", refractory=ref["refractory"] * u.second)
    net.add_population("kicked", kicked, 2, initial={"v": ref["initial_v"] * u.volt})
    net.run_regularly("kicked", "v += kick", dt=1 * u.ms)
    net.add_population("redrawn", sz.NeuronModel("redrawn", "dv/dt = (El - v)/tau : volt", params),
                       ref["n_redraw"], initial={"v": "El"})
    net.run_regularly("redrawn", "v = El + sigma*randn()", dt=1 * u.ms)
    net.record("kicked", "v")
    net.record("redrawn", "v", rate=1 * u.kHz)
    net.run(ref["duration"] * u.second)
    kicked_record, redrawn_record = net.records()
    assert steps_of(kicked_record).tolist() == ref["spike_steps"]
    assert kicked_record.spike_neurons.tolist() == ref["spike_neurons"]
    np.testing.assert_allclose(kicked_record.states[0].data["v"].T, ref["v"], rtol=0, atol=1e-15)
    drawn = redrawn_record.states[0].data["v"]  # sampled right after each redraw: N(El, sigma^2)
    assert abs(drawn.mean() - ref["El"]) < 4 * ref["sigma"] / math.sqrt(drawn.size)
    assert drawn.std(ddof=1) == pytest.approx(ref["sigma"], rel=0.02)
    assert drawn.std(ddof=1) == pytest.approx(ref["redrawn_sd"], rel=0.02)


def test_run_regularly_without_dt_runs_every_step_like_brian2():
    # Brian2's G.run_regularly('x += 1') runs on the group's clock; here dt was a required argument (a TypeError)
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    pop = net.add_population("p", sz.NeuronModel("counter", "x : 1"), 2)
    net.run_regularly("p", "x += 1 + i")
    net.run(1 * u.ms)
    assert pop.x.magnitude.tolist() == [10, 20]
    assert net.provenance()["regular_operations"]["regular_operation_0"]["every_steps"] == 1


@pytest.mark.parametrize("code, dt, fragment", [
    ("v += 1*mV", 0.25 * u.ms, "dt 0.25 ms is not a multiple of the network's dt = 0.1 ms"),
    ("v += 1*nA", 1 * u.ms, "the value is in nA [current] but v is in V [voltage]"),
    ("w = 0*mV", 1 * u.ms, "'w' is not a variable of model"),
])
def test_run_regularly_bad_input(code, dt, fragment):
    net = sz.Network(dt=0.1 * u.ms)
    net.add_population("p", sz.NeuronModel("m", "dv/dt = -v/tau : volt", {"tau": "10 ms"}), 2)
    with pytest.raises(SnnzooError, match=f"^regular operation 'regular_operation_0' on population 'p'.*{re.escape(fragment)}"):
        net.run_regularly("p", code, dt=dt)


# -- TimedArray -----------------------------------------------------------------------------------------------------


def test_timed_array_with_a_delay_per_neuron_like_brian2():
    ref = reference("timed_array_2d")
    stim = sz.TimedArray(np.array(ref["values"]) * u.volt, dt=ref["dt_stim"] * u.second, name="stim")
    model = sz.NeuronModel("delayed", "dv/dt = (u - v)/tau : volt\nu = stim(t - delay, i) : volt\ndelay : second",
                           {"tau": ref["tau"] * u.second}, functions={"stim": stim})
    net = sz.Network(dt=ref["dt"] * u.second, seed=0)
    net.add_population("G", model, 3, initial={"delay": ref["delay"] * u.second}, integrator="euler")
    net.record("G", ["v", "u"])
    net.run(ref["duration"] * u.second)
    data = net.records()[0].states[0].data
    np.testing.assert_array_equal(data["u"].T, ref["u"])
    np.testing.assert_allclose(data["v"].T, ref["v"], rtol=0, atol=1e-17)


def test_a_timed_array_makes_exact_integration_possible():
    """The array's values are constant during a step, so 'exact' solves the linear equation between them."""
    stim = sz.TimedArray([0, 1, 0.5] * u.nA, dt=5 * u.ms, name="stim")
    model = sz.NeuronModel("lif", "dv/dt = (EL - v + R*stim(t))/tau : volt", {"EL": "0 mV", "R": "10 Mohm",
                           "tau": "10 ms"}, functions={"stim": stim})
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    pop = net.add_population("p", model, 1)
    assert pop.integrator.name == "exact"
    net.record("p", "v")
    net.run(10 * u.ms)
    v = net.records()[0].states[0].data["v"][:, 0]
    t = np.arange(100) * 1e-4
    expected = np.where(t < 5e-3, 0.0, 10e-3 * (1 - np.exp(-(t - 5e-3) / 10e-3)))
    np.testing.assert_allclose(v, expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize("refractory, spikes", [
    ("1 ms", [(112, 1), (112, 2), (140, 0), (210, 1), (210, 2), (262, 1), (300, 2), (335, 1), (376, 1), (390, 0),
              (407, 2), (417, 1), (459, 1), (490, 2), (558, 1)]),
    ("v > vr(t) + 5*mV", [(112, 1), (112, 2), (140, 0), (201, 0), (201, 1), (210, 2), (243, 1), (292, 2), (308, 1),
                          (372, 1), (390, 2), (404, 1), (436, 1), (446, 0), (463, 2), (469, 1), (559, 1), (585, 2)]),
])
def test_timed_arrays_in_threshold_reset_and_regular_operation_like_brian2(refractory, spikes):
    """Brian2 calls timed arrays in thresholds, resets, refractory conditions and run_regularly; they
    were "unknown function". The spike steps are Brian2 2.9's for the same model (numpy target, dt = 0.1 ms)."""
    th = sz.TimedArray(np.array([[-50, -52, -54], [-48, -51, -49], [-53, -50, -47], [-46, -55, -50]]) * u.mV,
                       dt=7 * u.ms, name="th")
    vr = sz.TimedArray(np.array([-70, -60, -65, -58, -72]) * u.mV, dt=11 * u.ms, name="vr")
    model = sz.NeuronModel("m", "dv/dt = (-45*mV - v)/(10*ms) + k*mV/ms : volt (unless refractory)\nk : 1", {},
                           threshold="v > th(t, i)", reset="v = vr(t) - 2*mV*i", refractory=refractory,
                           integrator="euler", initial={"v": "-70*mV", "k": "0.3*i"}, functions={"th": th, "vr": vr})
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("G", model, 3)
    net.run_regularly("G", "v += vr(t)*0.01 + 0.7*mV", dt=3 * u.ms)
    net.run(60 * u.ms)
    record = net.records()[0]
    assert sorted(zip(steps_of(record).tolist(), record.spike_neurons.tolist())) == spikes


@pytest.mark.parametrize("dt, equation, fragment", [
    (0.25 * u.ms, "dv/dt = (R*stim(t) - v)/tau : volt",
     "TimedArray 'stim' has dt = 0.25 ms, which is not a multiple of the network's dt = 0.1 ms"),
    (1 * u.ms, "dv/dt = (stim(t) - v)/tau : volt", "'stim(t)' is in A [current]"),
    (1 * u.ms, "dv/dt = (R*stim(i) - v)/tau : volt", "the first argument of stim() must be a time"),
])
def test_timed_array_bad_input(dt, equation, fragment):
    stim = sz.TimedArray([1, 2] * u.nA, dt=dt, name="stim")
    with pytest.raises(SnnzooError, match=re.escape(fragment)) as caught:
        model = sz.NeuronModel("m", equation, {"tau": "10 ms", "R": "1 Mohm"}, functions={"stim": stim})
        net = sz.Network(dt=0.1 * u.ms)
        net.add_population("p", model, 1)
        net.run(1 * u.ms)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("name, equations, fragment", [
    ("exp", "dv/dt = (R*exp(t) - v)/tau : volt", "TimedArray 'exp' is named like the function exp() of expressions"),
    ("stim", "dv/dt = (R*stim(t) - v)/tau : volt\nstim : 1", "'stim' is also the name of a timed array the model calls"),
])
def test_a_timed_array_named_like_a_function_or_variable_is_refused(name, equations, fragment):
    """A timed array 'exp' silently replaced exp() in every expression of the model; a variable named
    like a timed array was accepted."""
    timed = sz.TimedArray([1, 2] * u.nA, dt=1 * u.ms, name=name)
    with pytest.raises(EquationError, match=re.escape(fragment)):
        sz.NeuronModel("m", equations, {"tau": "10 ms", "R": "1 Mohm"}, functions={name: timed})


@pytest.mark.parametrize("values, place", [([1, np.nan, 2] * u.nA, "step 1 is nan"),
                                           (np.array([[0, 1], [np.inf, 0]]) * u.nA, "step 1, column 0 is inf")])
def test_a_timed_array_names_its_first_value_that_is_not_finite(values, place):
    """It said only "the values must be finite", whatever the length of the array."""
    with pytest.raises(ConfigError, match=rf"^TimedArray 'stim': the values must be finite \(not NaN or infinite\); "
                                          rf"{place}$"):
        sz.TimedArray(values, dt=1 * u.ms, name="stim")


@pytest.mark.parametrize("values, shape", [([] * u.nA, "(0,)"), (np.zeros((3, 0)) * u.nA, "(3, 0)"),
                                           (np.zeros((0, 2)) * u.nA, "(0, 2)"), ("[] nA", "(0,)")])
def test_an_empty_timed_array_is_refused_when_it_is_made(values, shape):
    """Three steps of no columns were refused only when a network was built ("has 0 columns; expected 1 or 2")."""
    with pytest.raises(ConfigError, match=rf"^TimedArray 'stim': no values \(shape {re.escape(shape)}\); expected at "
                                          r"least one step and one column"):
        sz.TimedArray(values, dt=1 * u.ms, name="stim")


@pytest.mark.parametrize("name", ["a b", 3])
def test_a_timed_array_name_is_an_identifier(name):
    """A name that is not text (3) was "'int' object has no attribute 'isidentifier'"."""
    with pytest.raises(ConfigError, match=rf"^TimedArray {re.escape(repr(name))}: the name must be a Python identifier"):
        sz.TimedArray([1, 2] * u.nA, dt=1 * u.ms, name=name)


# -- rand() and randn() ---------------------------------------------------------------------------------------------


def test_a_comparison_with_rand_draws_per_neuron_and_step():
    """``int(rand() < 0.3)`` is a Bernoulli draw per neuron (initial values, regular operations), and
    ``threshold="rand() < 0.01"`` fires at 0.01/dt. (sympy used to evaluate ``rand()`` while parsing, to
    one random number outside the seed, so the comparison was a constant True or False.)"""
    model = sz.NeuronModel("coin", "dv/dt = 0/ms : 1\nx : 1", {}, threshold="rand() < 0.01", reset="v += 1")
    means = []
    for seed in (1, 2):
        net = sz.Network(dt=0.1 * u.ms, seed=seed)
        pop = net.add_population("p", model, 10_000, initial={"x": "int(rand() < 0.3)"})
        means.append(pop.get("x").magnitude.mean())
        net.run_regularly("p", "x = int(rand() < 0.7)", dt=1 * u.ms)
        net.run(10 * u.ms)
        assert abs(pop.get("x").magnitude.mean() - 0.7) < 5 * math.sqrt(0.21 / 10_000)
        spikes = net.records()[0].spike_times.size
        expected = 10_000 * 100 * 0.01  # neurons x steps x probability
        assert abs(spikes - expected) < 5 * math.sqrt(expected)
    assert all(abs(mean - 0.3) < 5 * math.sqrt(0.21 / 10_000) for mean in means) and means[0] != means[1]


def test_every_rand_call_is_its_own_draw():
    """``rand() - rand()`` is the difference of two draws (variance 1/6), not zero, as in Brian2."""
    model = sz.NeuronModel("m", "dv/dt = 0/ms : 1\nx : 1\ny : 1", {})
    net = sz.Network(dt=0.1 * u.ms, seed=4)
    pop = net.add_population("p", model, 20_000, initial={"x": "rand() - rand()"})
    net.run_regularly("p", "y = randn() + randn()", dt=0.1 * u.ms)
    net.run(0.1 * u.ms)
    assert pop.get("x").magnitude.var() == pytest.approx(1 / 6, rel=0.05)
    assert pop.get("y").magnitude.var() == pytest.approx(2, rel=0.05)


def test_rand_in_synaptic_values_and_on_pre():
    """``weight="rand()*0.2"`` draws one value per synapse from the network's seed (Brian2's
    ``S.w = 'rand()*w_max'``), and ``on_pre`` may draw per synapse and spike."""
    cell = sz.NeuronModel("cell", "dv/dt = 0/ms : 1", {}, threshold="v > 1", reset="v = 0")

    def weights(seed):
        net = sz.Network(dt=0.1 * u.ms, seed=seed)
        net.add_population("a", cell, 100)
        net.add_population("b", cell, 100)
        return net.connect("a", "b", on="v", weight="rand()*0.2", all_to_all=True).synapses.weights

    drawn = weights(1)
    assert drawn.mean() == pytest.approx(0.1, abs=5 * 0.2 / math.sqrt(12 * drawn.size))
    assert drawn.std() == pytest.approx(0.2 / math.sqrt(12), rel=0.05)
    assert (weights(1) == drawn).all() and not (weights(2) == drawn).all()

    clock = sz.NeuronModel("clock", "dv/dt = 1/ms : 1", {}, threshold="v > 0.95", reset="v = 0")
    net = sz.Network(dt=0.1 * u.ms, seed=3)
    net.add_population("source", clock, 1)
    net.add_population("target", sz.NeuronModel("counter", "dg/dt = 0/ms : 1", {}), 4000)
    net.connect("source", "target", synapse=sz.SynapseModel("coin", "w : 1", on_pre="g_post += int(rand() < 0.5)"),
                weight=1.0, all_to_all=True)
    net.run(20 * u.ms)
    spikes = net.records()[0].spike_times.size
    counts = net.population("target").get("g").magnitude
    assert spikes >= 10 and abs(counts.mean() - spikes / 2) < 5 * math.sqrt(spikes / 4 / counts.size)
    assert counts.var() == pytest.approx(spikes / 4, rel=0.1)  # binomial(spikes, 1/2) per neuron


@pytest.mark.parametrize("place", ["condition", "function_current"])
def test_rand_where_it_cannot_draw_is_refused(place):
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("a", sz.NeuronModel("m", "dv/dt = I/(1*nF) : volt\nI : amp", {}), 10)
    with pytest.raises(SnnzooError, match="draws random numbers, which this expression cannot; (for random connections "
                                          "give p|for a random current use noise_current)"):
        if place == "condition":
            net.connect("a", "a", on="v", weight=1 * u.mV, condition="rand() < 0.5")
        else:
            net.add_stimulus(sz.stimulus("function_current", function="rand()*nA"), "a")


# -- (constant) and (linked) variables are not written during a run ------------------------------------------------

CONSTANT = "dv/dt = (c - v)/(10*ms) : 1\nc : 1 (constant)\nI : 1"


def _linked_network():
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("S", sz.NeuronModel("src", "dx/dt = -x/(10*ms) : 1", {}), 1)
    net.add_population("D", sz.NeuronModel("dst", "dv/dt = (y - v)/(10*ms) : 1\ny : 1 (linked)", {}), 2)
    net.link("D", "y", "S", "x")
    return net


@pytest.mark.parametrize("write", ["reset", "regular operation", "synaptic effect", "synapse model", "stimulus"])
def test_a_constant_variable_is_not_written_during_a_run(write):
    """Brian2 refuses writes to a (constant) variable; they used to run (a reset 'c += 1' counted up)."""
    with pytest.raises(SnnzooError, match=r"'c' is declared \(constant\) in model 'm', so nothing may change it"):
        model = sz.NeuronModel("m", CONSTANT, {}, threshold="v > 1", reset="c += 1" if write == "reset" else "v = 0")
        net = sz.Network(dt=0.1 * u.ms, seed=1)
        net.add_population("p", model, 2)
        if write == "regular operation":
            net.run_regularly("p", "c = 2", dt=1 * u.ms)
        elif write == "synaptic effect":
            net.connect("p", "p", on="c", weight=1, all_to_all=True)
        elif write == "synapse model":
            net.connect("p", "p", synapse=sz.SynapseModel("s", "w : 1", on_pre="c_post += w"), weight=1, all_to_all=True)
        elif write == "stimulus":
            net.add_stimulus(sz.stimulus("constant_current", amplitude=5 * u.dimensionless), "p", target="c")
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    pop = net.add_population("p", sz.NeuronModel("m", CONSTANT, {}), 2, initial={"c": 0.5})
    pop.set("c", 0.25)  # before a run, or between runs, as in Brian2
    net.run(1 * u.ms)
    assert pop.get("c").magnitude.tolist() == [0.25, 0.25]


def test_a_linked_variable_is_not_written_nor_set():
    """A stimulus on a (linked) variable was accepted and then had no effect; so had pop.set."""
    net = _linked_network()
    with pytest.raises(SnnzooError, match=r"'y' is \(linked\) in model 'dst': it takes the value of the variable"):
        net.add_stimulus(sz.stimulus("constant_current", amplitude=5 * u.dimensionless), "D", target="y")
    with pytest.raises(SnnzooError, match=r"population 'D'.*'y' is \(linked\): .*set that variable instead"):
        net.population("D").set("y", 3)

"""The simulation engine against analytic results: integrators, refractoriness, stimuli, monitors, runs.

Every expected value here is computed from the equations (closed-form solutions, the exact
Euler recurrence, the LIF inter-spike interval), not copied from earlier runs.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.errors import ConfigError, EquationError, SimulationError, UnitError, ValueRangeError

# parameters of the 'lif' plugin model (checked in test_lif_defaults)
TAU_M, R, EL, VT, VR = 0.020, 0.5e9, -0.070, -0.050, -0.055


def test_lif_defaults():
    lif = sz.model("lif")
    defaults = {name: spec.default for name, spec in lif.parameters.items()}
    assert defaults == pytest.approx({"tau_m": TAU_M, "R_m": R, "E_L": EL, "V_th": VT, "V_reset": VR}, rel=1e-12)


def trace(net, population=0, monitor=0):
    state = net.records()[population].states[monitor]
    return state.times, state.data


# -- integrators on linear equations ----------------------------------------------------------------------------


def test_lif_relaxation_is_the_euler_product_and_close_to_the_exponential():
    dt, v0, n_steps = 1e-5, -0.055, 10_000
    net = sz.Network(dt=dt * u.second, seed=0)
    net.add_population("l", "lif", 1, initial={"v": v0 * u.volt}, integrator="euler")
    net.record("l", "v")
    net.run(n_steps * dt * u.second)
    t, data = trace(net)
    v = data["v"][:, 0]
    n = np.arange(n_steps)
    assert v.shape == (n_steps,)
    np.testing.assert_allclose(t, n * dt, rtol=1e-12, atol=0)
    # forward Euler: v_n = EL + (v0 - EL) (1 - dt/tau)^n, up to rounding
    np.testing.assert_allclose(v, EL + (v0 - EL) * (1 - dt / TAU_M) ** n, rtol=0, atol=1e-12)
    # and the exact solution within Euler's global error, n (dt/tau)^2/2 exp(-n dt/tau) |v0 - EL| to leading order
    x = dt / TAU_M
    error = np.abs(v - (EL + (v0 - EL) * np.exp(-n * dt / TAU_M)))
    bound = abs(v0 - EL) * n * x**2 / 2 * np.exp(-n * x) / (1 - x) ** 2
    assert np.all(error <= bound + 1e-12)
    assert error.max() > 0.5 * bound.max()  # it is Euler, not an exact scheme


def test_exponential_euler_is_exact_for_a_linear_equation():
    dt, current = 5e-4, 20e-12  # a coarse step: Euler is off by up to ~5e-5 V here
    v_inf = EL + R * current
    net = sz.Network(dt=dt * u.second, seed=0)
    net.add_population("e", "lif", 1, integrator="exponential_euler")
    net.add_population("f", "lif", 1, integrator="euler")
    for name in ("e", "f"):
        net.add_stimulus(sz.stimulus("constant_current", amplitude=current * u.amp), name)
        net.record(name, "v")
    net.run(100 * u.ms)
    t, exp_euler = trace(net, 0)
    exact = v_inf + (EL - v_inf) * np.exp(-t / TAU_M)
    np.testing.assert_allclose(exp_euler["v"][:, 0], exact, rtol=0, atol=1e-12)
    _, euler = trace(net, 1)
    assert np.abs(euler["v"][:, 0] - exact).max() > 1e-5


def test_exponential_euler_is_finite_where_the_linear_coefficient_is_zero_at_run_time():
    """dv/dt = g*(E - v)/C with g = 0 for one neuron: -B/A divided 0 by 0 (NaN at the first step);
    that neuron stays at -70 mV and the other relaxes exactly, as in Brian2 2.9 (-66.58605972 mV)."""
    model = sz.NeuronModel("cond", "dv/dt = g*(E - v)/C : volt", {"g": "10 nS", "E": "0 mV", "C": "200 pF"},
                           initial={"v": "-70 mV"})
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    pop = net.add_population("c", model, 2, integrator="exponential_euler", parameters={"g": [0, 10] * u.nS})
    net.run(1 * u.ms)
    np.testing.assert_allclose(pop.get("v").to("volt").magnitude, [-0.07, -0.07 * math.exp(-1e-3 * 10e-9 / 200e-12)],
                               rtol=1e-13)


def test_exponential_euler_refuses_nonlinear_equations():
    m = sz.NeuronModel("quad", "dx/dt = x**2/tau : 1", {"tau": 1 * u.ms})
    net = sz.Network(dt=0.1 * u.ms, integrator="exponential_euler")
    net.add_population("q", m, 1)
    with pytest.raises(EquationError, match="not linear"):
        net.run(1 * u.ms)


FORCED = sz.NeuronModel("forced", "dx/dt = (cos(t/tau) - x)/tau : 1", {"tau": 10 * u.ms})


def forced_errors(dt_ms):
    """Max error of euler, rk2 and rk4 on dx/dt = (cos(t/tau) - x)/tau, x(0) = 0, over 4 tau."""
    net = sz.Network(dt=dt_ms * u.ms, seed=0)
    methods = ("euler", "rk2", "rk4")
    for method in methods:
        net.add_population(method, FORCED, 1, integrator=method)
        net.record(method, "x")
    net.run(40 * u.ms)
    errors = {}
    for k, method in enumerate(methods):
        t, data = trace(net, k)
        s = t / 0.010
        exact = (np.cos(s) + np.sin(s) - np.exp(-s)) / 2
        errors[method] = np.abs(data["x"][:, 0] - exact).max()
    return errors


def test_runge_kutta_error_ordering_and_convergence_orders():
    coarse, fine = forced_errors(0.5), forced_errors(0.25)
    assert coarse["euler"] > coarse["rk2"] > coarse["rk4"] > 0
    assert fine["euler"] > fine["rk2"] > fine["rk4"] > 0
    # halving dt divides the error by 2^order (the equation depends on t, so stages must shift t correctly)
    assert coarse["euler"] / fine["euler"] == pytest.approx(2, rel=0.15)
    assert coarse["rk2"] / fine["rk2"] == pytest.approx(4, rel=0.15)
    assert coarse["rk4"] / fine["rk4"] == pytest.approx(16, rel=0.2)


@pytest.mark.parametrize("noise, integrator, advice", [
    ("sigma*xi/sqrt(tau)", "rk4", "'rk4' is deterministic; use 'euler' (the noise is additive)"),
    ("v*xi/sqrt(tau)", "exact", "'exact' is deterministic; the noise term of dv/dt (v/sqrt(tau)*xi) is multiplicative: "
     "use 'heun' or 'milstein' (Stratonovich, as Brian2) or 'euler_maruyama' (Itô)"),
    ("v*xi/sqrt(tau)", "euler", "the noise term of dv/dt (v/sqrt(tau)*xi) is multiplicative; 'euler' handles additive "
     "noise only, use 'heun' or 'milstein' (Stratonovich, as Brian2) or 'euler_maruyama' (Itô)"),
])
def test_integrators_refuse_noise_they_cannot_integrate_and_name_both_readings(noise, integrator, advice):
    """Multiplicative noise was sent to 'euler_maruyama' alone (Itô), not to Brian2's Stratonovich reading."""
    parameters = {"tau": 10 * u.ms, "sigma": 1 * u.mV} if "sigma" in noise else {"tau": 10 * u.ms}
    noisy = sz.NeuronModel("ou", f"dv/dt = -v/tau + {noise} : volt", parameters)
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("n", noisy, 1, integrator=integrator)
    with pytest.raises(EquationError, match=f"^model 'ou': .*{re.escape(advice)}$"):
        net.run(1 * u.ms)


# -- LIF f-I curve ----------------------------------------------------------------------------------------------


def test_lif_firing_rate_matches_the_analytic_f_i_curve():
    dt, t_ref = 1e-5, 0.002
    currents = np.array([45, 50, 60, 80, 120, 200, 400]) * 1e-12  # rheobase (Vt - EL)/R = 40 pA
    net = sz.Network(dt=dt * u.second, seed=0)
    net.add_population("l", "lif", currents.size, refractory=t_ref * u.second)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=currents * u.amp), "l")
    net.run(300 * u.ms)
    rec = net.records()[0]
    k = round(t_ref / dt)
    v_inf = EL + R * currents
    for i, current in enumerate(currents):
        steps = np.round(rec.spike_times[rec.spike_neurons == i] / dt).astype(np.int64)
        intervals = np.diff(steps)
        assert intervals.size >= 9
        # after the first spike every cycle starts from Vr: all intervals are the same number of steps
        assert np.all(intervals == intervals[0])
        isi = intervals[0] * dt
        t_free = TAU_M * math.log((v_inf[i] - VR) / (v_inf[i] - VT))
        analytic = t_ref + t_free
        assert 1 / isi == pytest.approx(1 / analytic, rel=0.01), f"I = {current * 1e12:g} pA"
        # discretisation: reset v is held for k-1 steps, the crossing is seen at the end of a step and
        # stamped at its start, and Euler shortens the free time by ~dt*t_free/(2 tau)
        assert -dt * (1 + t_free / (2 * TAU_M)) - 1e-9 <= isi - analytic <= 1e-9
        # exactly: j Euler steps from Vr until v > Vt, spike stamped at step (start + j - 1)
        j = math.ceil(math.log((v_inf[i] - VT) / (v_inf[i] - VR)) / math.log(1 - dt / TAU_M))
        assert intervals[0] in (k + j - 1, k + j - 2, k + j)


def test_perfect_integrator_fires_at_the_predicted_rate():
    dt, current, C = 1e-4, 100e-12, 200e-12  # dv/dt = I/C = 0.5 V/s; Vr -> Vt is 20 mV: 40 ms
    net = sz.Network(dt=dt * u.second, seed=0)
    net.add_population("p", "perfect_if", 1)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=current * u.amp), "p")
    net.run(1 * u.second)
    intervals = np.diff(np.round(net.records()[0].spike_times / dt))
    expected_steps = 0.020 / (current / C * dt)  # 400 steps to rise exactly 20 mV; the spike needs v > Vt
    assert np.all(np.abs(intervals - expected_steps) <= 1)


# -- refractoriness (Brian2 semantics) ---------------------------------------------------------------------------

REFRACTORY_MODEL = sz.NeuronModel(
    "lif_with_trace",
    """
    dv/dt = (EL - v + R*I)/tau : volt (unless refractory)
    dy/dt = -y/tau_y : 1
    I : amp
    """,
    {"EL": -70 * u.mV, "R": 0.5 * u.Gohm, "tau": 20 * u.ms, "tau_y": 5 * u.ms, "Vt": -50 * u.mV, "Vr": -55 * u.mV},
    threshold="v > Vt",
    reset="v = Vr; y += 1",
    refractory=1 * u.ms,
    integrator="euler",  # the expected values below are forward Euler's
)


def test_refractory_holds_v_for_k_minus_1_steps_and_disables_the_threshold():
    dt, k, current = 1e-4, 10, 200e-12
    net = sz.Network(dt=dt * u.second, seed=0)
    # neuron 1 resets above threshold: it can only spike when the refractory period ends
    net.add_population("n", REFRACTORY_MODEL, 2, parameters={"Vr": [-55, -45] * u.mV})
    net.add_stimulus(sz.stimulus("constant_current", amplitude=current * u.amp), "n")
    net.record("n", ["v", "y"])
    net.run(50 * u.ms)
    rec = net.records()[0]
    v, y = rec.states[0].data["v"], rec.states[0].data["y"]
    steps = np.round(rec.spike_times / dt).astype(np.int64)

    first = steps[rec.spike_neurons == 0][0]
    # samples are taken at the start of each step: after a spike in step n, v = Vr from n+1 to n+k
    np.testing.assert_array_equal(v[first + 1 : first + k + 1, 0], VR)
    # ... and it integrates again in step n+k
    assert v[first + k + 1, 0] == pytest.approx(VR + dt * (EL - VR + R * current) / TAU_M, rel=1e-12)
    # variables without '(unless refractory)' keep integrating during the refractory period
    assert y[first + 1, 0] == pytest.approx(1.0, rel=1e-12)  # decayed once before the jump, then +1
    np.testing.assert_allclose(y[first + 2 : first + k + 1, 0], y[first + 1, 0] * (1 - dt / 0.005) ** np.arange(1, k),
                               rtol=1e-12)

    above = steps[rec.spike_neurons == 1]
    assert above.size > 3
    np.testing.assert_array_equal(np.diff(above), k)  # threshold disabled for exactly k-1 steps


def test_refractory_override_on_the_population():
    dt = 1e-4
    net = sz.Network(dt=dt * u.second, seed=0)
    net.add_population("n", REFRACTORY_MODEL, 1, parameters={"Vr": -45 * u.mV}, refractory=3 * u.ms)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=200 * u.pA), "n")
    net.run(50 * u.ms)
    steps = np.round(net.records()[0].spike_times / dt)
    np.testing.assert_array_equal(np.diff(steps), 30)


# -- noise and seeds ---------------------------------------------------------------------------------------------

OU = sz.NeuronModel("ou_process", "dv/dt = -v/tau + sigma*sqrt(2/tau)*xi : volt", {"tau": 10 * u.ms, "sigma": 2 * u.mV})


def ou_final_state(seed, n=2000):
    net = sz.Network(dt=0.1 * u.ms, seed=seed)
    pop = net.add_population("o", OU, n)
    net.record("o", "v", neurons=[0, 1])
    net.run(100 * u.ms)
    return pop.get("v").magnitude, net.records()[0].states[0].data["v"]


def test_same_seed_is_bit_identical_and_other_seeds_differ():
    a_final, a_trace = ou_final_state(1)
    b_final, b_trace = ou_final_state(1)
    c_final, _ = ou_final_state(2)
    np.testing.assert_array_equal(a_final, b_final)
    np.testing.assert_array_equal(a_trace, b_trace)
    assert not np.any(a_final == c_final)
    assert not np.array_equal(a_final[:1000], a_final[1000:])  # neurons get independent noise


def test_euler_maruyama_ou_statistics():
    v, _ = ou_final_state(3)
    a, sigma = 0.01, 0.002  # dt/tau
    # stationary variance of the Euler-Maruyama OU recursion: sigma^2/(1 - a/2) (10 tau after a start at 0)
    expected_std = sigma / math.sqrt(1 - a / 2)
    assert v.std() == pytest.approx(expected_std, rel=0.06)  # ~4 standard errors for 2000 samples
    assert abs(v.mean()) < 4 * expected_std / math.sqrt(v.size)


def test_seed_is_recorded_and_drawn_when_missing():
    net = sz.Network(seed=None)
    net.add_population("a", "lif", 1)
    net.run(1 * u.ms)
    tree = net.result()
    assert isinstance(tree.attrs["seed"], int) and tree.attrs["seed"] == net.seed
    assert sz.Network(seed=42).seed == 42


# -- NaN and infinity --------------------------------------------------------------------------------------------


def test_blow_up_names_variable_neuron_and_time():
    blow = sz.NeuronModel("blow", "dx/dt = x**2/tau : 1", {"tau": 1 * u.ms})
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("b", blow, 3, initial={"x": [0, 0.5, 1]})
    with pytest.raises(SimulationError) as info:
        net.run(10 * u.ms)
    message = str(info.value)
    assert "'b'" in message and "variable x" in message and "neuron 2" in message
    # the same recursion in numpy: the first step whose result is not finite
    x, n = np.float64(1.0), 0
    with np.errstate(over="ignore", invalid="ignore"):
        while np.isfinite(x):
            x = x + 1e-4 * x**2 / 1e-3
            n += 1
    t = float(re.search(r"t = ([0-9.eE+-]+) s", message).group(1))
    assert t == pytest.approx(n * 1e-4, abs=1.01e-4)
    assert f"after {n - 1} steps with finite values: the model diverges" in message
    assert "or the integrator is unstable at this dt (then use a smaller dt or another integrator)" in message
    assert len(message.splitlines()) == 1
    assert not net.complete


@pytest.mark.parametrize("equations, parameters, value", [
    ("dx/dt = log(x)/tau : 1", {}, "nan"),  # log of the initial -1
    ("dx/dt = (I/c)/tau : 1", {"I": 1, "c": 0}, "inf"),  # a division by zero
    ("dx/dt = (I/c)/tau : 1", {"I": 0, "c": 0}, "nan"),  # 0/0
])
def test_a_value_undefined_from_the_first_step_is_blamed_on_the_expression_not_dt(equations, parameters, value):
    """It always said 'use a smaller dt', which cannot help a division by zero."""
    bad = sz.NeuronModel("bad", equations, {"tau": 1 * u.ms, **parameters}, initial={"x": -1})
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("b", bad, 2)
    with pytest.raises(SimulationError) as info:
        net.run(1 * u.ms)
    message = str(info.value)
    assert message == (
        f"population 'b': variable x of neuron 0 became {value} at t = 0.0001 s, in the first step of the run, from "
        "finite values: an expression of model 'bad' is undefined or too large for these parameter or state values "
        "(such as a division by zero or the log or square root of a negative number); check them")


def _stopped_run(net: sz.Network, duration=1 * u.ms) -> str:
    with pytest.raises(SimulationError) as info:
        net.run(duration)
    assert not net.complete
    return str(info.value)


def test_values_that_resets_regular_operations_and_monitors_make_not_finite_stop_the_run():
    """Only the state variables of differential equations were checked: a recorded subexpression log(v) was
    recorded as -inf, and a population without differential equations, or a declared variable written by a reset
    or a regular operation, ran on with NaN in silence."""
    decaying = sz.NeuronModel("decaying", "dv/dt = -v/tau : 1\nr = log(v) : 1", {"tau": "10 ms"})
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("G", decaying, 2, initial={"v": [1, 0]})
    net.record("G", ["r", "v"])
    assert _stopped_run(net) == ("population 'G': subexpression r = log(v) of neuron 1 is -inf at t = 0 s (recorded), "
                                 "where v = 0; a recorded value must be finite: write the subexpression so that it is "
                                 "for these values")
    # a threshold-only population: x = 2.5 (spike, reset to log(0.5)), 0.31, 1.31 (spike, reset to log(-0.69))
    counter = sz.NeuronModel("counter", "x : 1", threshold="x > 1", reset="x = log(x - 2)")
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("G", counter, 2, initial={"x": 1.5})
    net.run_regularly("G", "x = x + 1", dt=0.1 * u.ms)
    assert _stopped_run(net) == ("population 'G': variable x of neuron 0 became nan at t = 0.0002 s, written by the "
                                 "reset 'x = log(x - 2)' from finite values: it is undefined or too large for them "
                                 "(such as a division by zero or the log of a negative number)")
    inverted = sz.NeuronModel("inverted", "dv/dt = -v/tau : 1\nx : 1", {"tau": "10 ms"})
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("G", inverted, 3, initial={"x": [1, 1, 0]})
    net.run_regularly("G", "x = 1/x", dt=0.2 * u.ms)
    assert _stopped_run(net).startswith("population 'G': variable x of neuron 2 became inf at t = 0 s, written by the "
                                        "regular operation 'x = 1/x' from finite values")


def _spiking_into(model: sz.NeuronModel, synapse=None, weight=1.0, spikes=(0.1, 0.2, 0.3), **connect) -> sz.Network:
    """A network where a source spikes at ``spikes`` (ms) into one neuron of ``model`` through projection 'S'."""
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("G", model, 1)
    net.add_source("in", sz.stimulus("spike_generator", times=list(spikes) * u.ms, indices=[0] * len(spikes)))
    net.connect("in", "G", synapse=synapse, weight=weight, all_to_all=True, name="S", **connect)
    return net


def test_synapse_state_that_becomes_not_finite_stops_the_run():
    """A synapse model's variables, its traces kept per neuron, the neuron variables it writes and the summed
    variables were never checked: the runs finished with NaN or infinite weights in silence."""
    leaky = sz.NeuronModel("leaky", "dv/dt = -v/tau : 1\nx : 1\ng : 1", {"tau": "10 ms"})
    growing = sz.SynapseModel("growing", "w : 1", on_pre="w = w*1e200")
    assert _stopped_run(_spiking_into(leaky, growing)) == (
        "projection 'S': variable w of synapse 0 (i = 0 → j = 0) became inf at t = 0.0002 s, written by on_pre "
        "'w = 1.0e+200*w' from finite values: it is undefined or too large for them (such as a division by zero, "
        "the log of a negative number or a weight that grows without bound)")
    undefined = sz.SynapseModel("undefined", "w : 1", on_pre="w = log(w - 2)")
    assert _stopped_run(_spiking_into(leaky, undefined)).startswith(
        "projection 'S': variable w of synapse 0 (i = 0 → j = 0) became nan at t = 0.0001 s, written by on_pre")
    trace = sz.SynapseModel("trace", "w : 1\ndApre/dt = -Apre/(20*ms) : 1 (event-driven)",
                            on_pre="Apre = 1e200*Apre + 1; v_post += w")
    assert _stopped_run(_spiking_into(leaky, trace)).startswith(
        "projection 'S': variable Apre of presynaptic neuron 0 (a trace kept per neuron) became inf at t = 0.0003 s, "
        "written by on_pre")
    pushing = sz.SynapseModel("pushing", "w : 1", on_pre="x_post += w")
    assert _stopped_run(_spiking_into(leaky, pushing, weight=1e308)).startswith(
        "projection 'S': variable x of neuron 0 of the postsynaptic population 'G' became inf at t = 0.0002 s, at "
        "synapse 0 (i = 0 → j = 0), written by on_pre 'x_post += w' from finite values")
    summing = sz.SynapseModel("summing", "w : 1\ng_post = 1e300*w : 1 (summed)", on_pre="w += 0")
    assert _stopped_run(_spiking_into(leaky, summing, weight=1e10)) == (
        "population 'G': variable g of neuron 0 became inf at t = 0 s, summed by projection 'S' (g_post = "
        "1.0e+300*w): the values summed are too large or not finite for these weights and values")
    clocked = sz.SynapseModel("clocked", "w : 1\nds/dt = s/us : 1 (clock-driven)", on_pre="w += 0",
                              initial={"s": 1})
    # solved exactly: s = exp(t/us), past the largest float (exp(709.78)) at t = 0.8 ms, the eighth step
    assert _stopped_run(_spiking_into(leaky, clocked)) == (
        "projection 'S': variable s of synapse 0 (i = 0 → j = 0) became inf at t = 0.0008 s, after 7 steps with "
        "finite values: the synapse model diverges for these parameter values, or the integrator is unstable at "
        "this dt (then use a smaller dt or another integrator)")


@pytest.mark.parametrize("recorded", [False, True])
def test_a_declared_variable_a_projection_made_infinite_stops_the_run(recorded):
    """A declared variable (no differential equation) was checked only where a monitor recorded it, and then
    one step late, when it was recorded: "variable x of neuron 0 is inf at t = 0.0003 s (recorded)"."""
    net = _spiking_into(sz.NeuronModel("sink", "x : 1"), on="x", weight=1e308)
    if recorded:
        net.record("G", "x")
    assert _stopped_run(net) == ("population 'G': variable x of neuron 0 became inf at t = 0.0002 s, made so by "
                                 "projection 'S' acting on it (the weights are too large or not finite)")
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("G", sz.NeuronModel("sink", "x : 1"), 1)
    net.add_poisson_input("G", "x", 1000, 5 * u.kHz, 1e307, name="P")
    assert _stopped_run(net) == ("population 'G': variable x of neuron 0 became inf at t = 0 s, made so by Poisson "
                                 "input 'P' acting on it (the weights are too large or not finite)")


# -- runs, set, time ----------------------------------------------------------------------------------------------


def lif_drive_net(dt=0.01):
    net = sz.Network(dt=dt * u.ms, seed=0)
    net.add_population("l", "lif", 2, refractory=2 * u.ms)
    net.add_stimulus(sz.stimulus("step_current", times=[0, 12, 31] * u.ms, amplitudes=[[100, 60], [0, 200], [150, 150]] * u.pA), "l")
    net.record("l", ["v", "I"])
    return net


def test_several_runs_continue_time_and_equal_one_run():
    whole = lif_drive_net()
    whole.run(45 * u.ms)
    parts = lif_drive_net()
    for duration in (15, 0.01, 29.99):  # 1500 + 1 + 2999 steps: crosses the 2000-step chunks
        parts.run(duration * u.ms)
    assert parts.t.to("ms").magnitude == pytest.approx(45)
    assert parts.step == whole.step == 4500
    (a,), (b,) = whole.records(), parts.records()
    np.testing.assert_array_equal(a.spike_times, b.spike_times)
    np.testing.assert_array_equal(a.spike_neurons, b.spike_neurons)
    np.testing.assert_array_equal(a.spike_counts, b.spike_counts)
    assert a.spike_counts.sum() > 5
    np.testing.assert_array_equal(a.states[0].times, b.states[0].times)
    np.testing.assert_array_equal(a.states[0].data["v"], b.states[0].data["v"])
    assert b.states[0].times.size == 4500
    runs = parts.result().attrs
    assert json.loads(runs["runs"])[1]["start"] == pytest.approx(0.015)


def test_set_between_runs_like_the_brian_lab():
    """The lab's linear model gets 'exact' by default, as in Brian2: x decays by exp(-dt/tau) per step."""
    dt, tau = 1e-4, 0.020
    decay = sz.NeuronModel("decay", "dx/dt = -x/tau : 1", {"tau": tau * u.second})
    net = sz.Network(dt=dt * u.second, seed=0)
    pop = net.add_population("d", decay, 2)
    net.record("d", "x")
    net.run(100 * u.ms)
    pop.set("x", 1)
    net.run(100 * u.ms)
    assert pop.get("x").magnitude == pytest.approx(np.exp(-1000 * dt / tau), rel=1e-12)
    x = trace(net)[1]["x"][:, 0]
    np.testing.assert_array_equal(x[:1000], 0.0)
    assert x[1000] == 1.0
    assert x[1999] == pytest.approx(np.exp(-999 * dt / tau), rel=1e-12)
    # a homogeneous parameter set between runs takes effect, and so do per-neuron values for it
    pop.set("tau", 10 * u.ms)
    before = pop.get("x").magnitude
    net.run(1 * u.ms)
    np.testing.assert_allclose(pop.get("x").magnitude, before * np.exp(-10 * dt / 0.010), rtol=1e-12)
    pop.set("x", [2, 3])  # per-neuron state values are fine
    np.testing.assert_array_equal(pop.get("x").magnitude, [2, 3])
    pop.set("tau", [10, 20] * u.ms)
    net.run(1 * u.ms)
    np.testing.assert_allclose(pop.get("x").magnitude, [2 * np.exp(-10 * dt / 0.010), 3 * np.exp(-10 * dt / 0.020)],
                               rtol=1e-12)
    with pytest.raises(ConfigError, match="after the network has run"):
        net.add_population("late", decay, 1)


def test_catalog_protocol_set_between_runs():
    from snnzoo.catalog.experiment import Experiment

    tree = Experiment.load("lif-decay").run()
    x = tree["decay"]["x"].values[:, 0]
    assert x.size == 2000 and x[999] == 0.0 and x[1000] == 1.0
    assert x[-1] == pytest.approx(np.exp(-999 * 0.1 / 20), rel=1e-12)  # 'exact', Brian2's default


# -- monitors ------------------------------------------------------------------------------------------------------


def test_recording_at_a_rate():
    dt = 0.125e-3
    net = sz.Network(dt=dt * u.second, seed=0)
    net.add_population("a", "adex_tau", 2)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=[100, 300] * u.pA), "a")
    net.record("a", ["v", "w"], rate=8 * u.kHz)   # = 1/dt: every step
    net.record("a", ["v"], rate="2 kHz")          # every 4th step
    net.run(330 * u.ms)
    net.run(0.375 * u.ms)  # steps 2640..2642: one more 2 kHz sample (2640)
    net.run(0.5 * u.ms)    # steps 2643..2646: one more (2644)
    every_step, every_fourth = net.records()[0].states
    assert every_step.times.size == 2647
    np.testing.assert_allclose(every_step.times, np.arange(2647) * dt, rtol=1e-12)
    assert every_fourth.times.size == 662
    np.testing.assert_allclose(every_fourth.times, np.arange(662) * 4 * dt, rtol=1e-12)
    np.testing.assert_array_equal(every_fourth.data["v"], every_step.data["v"][::4])
    assert every_step.data["w"].shape == (2647, 2)


@pytest.mark.parametrize("rate, error", [(3 * u.kHz, ConfigError), (16 * u.kHz, ConfigError),
                                         (0 * u.Hz, UnitError), (8 * u.ms, UnitError)])
def test_recording_rates_that_do_not_fit_dt(rate, error):
    net = sz.Network(dt=0.125 * u.ms)
    net.add_population("a", "lif", 1)
    with pytest.raises(error, match="rate"):
        net.record("a", "v", rate=rate)


def test_recording_bad_neuron_indices():
    net = sz.Network()
    net.add_population("a", "lif", 3)
    for neurons in ([3], [-1], []):
        with pytest.raises(ConfigError, match="0..2"):
            net.record("a", "v", neurons=neurons)


# -- stimuli -------------------------------------------------------------------------------------------------------


def test_function_current_sinusoid_with_per_neuron_phase():
    dt, amplitude, frequency, phase = 1e-4, 30e-12, 10.0, 0.5
    net = sz.Network(dt=dt * u.second, seed=0)
    net.add_population("l", "lif", 4)
    net.add_stimulus(sz.stimulus("function_current", function="amplitude*sin(2*pi*frequency*t + i*phase)",
                                 parameters={"amplitude": amplitude * 1e12 * u.pA, "frequency": frequency * u.Hz,
                                             "phase": phase}), "l")
    net.record("l", "I", neurons=[1, 3])
    net.run(250 * u.ms)  # 2500 steps: more than one chunk of buffered values
    t, data = trace(net)
    expected = amplitude * np.sin(2 * np.pi * frequency * t[:, None] + phase * np.array([1, 3])[None, :])
    np.testing.assert_allclose(data["I"], expected, rtol=1e-9, atol=1e-22)


def test_function_current_from_a_callable_adds_to_other_stimuli():
    dt = 1e-4
    net = sz.Network(dt=dt * u.second, seed=0)
    net.add_population("l", "lif", 3)
    net.add_stimulus(sz.stimulus("function_current", function=lambda t, i: 1e-12 * (t * 1e3 + 10 * i)), "l")
    net.add_stimulus(sz.stimulus("constant_current", amplitude=5 * u.pA), "l")
    net.record("l", "I")
    net.run(30 * u.ms)
    t, data = trace(net)
    expected = 1e-12 * (t[:, None] * 1e3 + 10 * np.arange(3)[None, :]) + 5e-12
    np.testing.assert_allclose(data["I"], expected, rtol=1e-12, atol=1e-24)


def test_a_callable_returning_quantities_is_converted_to_si():
    """A callable's quantity is converted (0.5 nA, not 0.5 A; 0.1 kHz is 100 Hz); a plain number stays SI."""
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("l", "lif", 2)
    net.add_stimulus(sz.stimulus("function_current", function=lambda t, i: 0.5 * u.nA + 0 * t * i), "l")
    net.add_stimulus(sz.stimulus("function_current", function=lambda t, i: 2e-12 + 0 * t * i), "l")
    net.add_source("P", sz.stimulus("poisson_group", size=3, rate=lambda t, i: 10 * u.kHz + 0 * t * i))
    net.record("l", "I")
    net.run(1 * u.ms)
    tree = net.result()
    np.testing.assert_allclose(tree["l"].to_dataset().I.values, 0.5e-9 + 2e-12, rtol=1e-12)
    assert tree["P"].to_dataset().spike_time.size == 3 * 10  # rate 1/dt: a spike every step


def test_a_callable_returning_the_wrong_dimension_is_refused():
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("l", "lif", 1)
    net.add_stimulus(sz.stimulus("function_current", function=lambda t, i: 2 * u.mV + 0 * t * i), "l")
    with pytest.raises(UnitError, match=r"stimulus 'function_current' on population 'l' \(variable 'I'\): the function returned "
                                        r"a quantity in mV \(\[voltage\]\); expected \[current\], or plain numbers in A"):
        net.run(1 * u.ms)
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_source("P", sz.stimulus("poisson_group", size=3, rate=lambda t, i: 5 * u.ms + 0 * t * i))
    net.add_population("l", "lif", 1)
    with pytest.raises(UnitError, match=r"source 'P': rate function: .* expected \[frequency\], or plain numbers in Hz"):
        net.run(1 * u.ms)


def test_function_current_unit_checks():
    net = sz.Network()
    net.add_population("l", "lif", 1)
    with pytest.raises(ConfigError, match="target"):
        net.add_stimulus(sz.stimulus("function_current", function="A*sin(t/tau)",
                                     parameters={"A": 1 * u.mV, "tau": 1 * u.ms}), "l")
    with pytest.raises(EquationError, match="undefined symbol 'B'"):
        net.add_stimulus(sz.stimulus("function_current", function="B*t", parameters={}), "l")


@pytest.mark.parametrize("make", [
    lambda a: sz.stimulus("function_current", function="a*sin(t/tau)", parameters={"a": a, "tau": "1 ms"}),
    lambda a: sz.stimulus("poisson_group", size=2, rate="a*(1 + sin(t/tau))", parameters={"a": a, "tau": "1 ms"}),
])
@pytest.mark.parametrize("a, shown", [(np.nan * u.nA, "nan nA"), ("inf Hz", "inf Hz"), ([1, np.nan] * u.Hz, "[1.0 nan] Hz")])
def test_expression_parameters_are_refused_when_the_stimulus_is_made(make, a, shown):
    """A NaN parameter was found only by the run: "the function gave NaN or infinite values"."""
    with pytest.raises(ValueRangeError, match=rf": parameter 'a': must be finite \(not NaN or infinite\), got {re.escape(shown)}$"):
        make(a)


@pytest.mark.parametrize("make, message", [
    (lambda: sz.stimulus("function_current", function="a*t/ms", parameters={"a": "1 pA", "b": "2 pA"}).drives(3, u.nA),
     "function_current: function: parameter 'b' is used nowhere in 'a*t/ms'"),
    (lambda: sz.stimulus("poisson_group", size=3, rate="5 Hz", parameters={"r0": "1 Hz"}).source(),
     "poisson_group: rate: '5 Hz' is a constant, so the parameters ['r0'] are used nowhere"),
    (lambda: sz.stimulus("poisson_group", size=3, rate=5 * u.Hz, parameters={"r0": "1 Hz"}),
     "poisson_group: parameters ['r0'] are for a rate expression such as 'r0*(t > 1*s)'; a rate of Quantity takes none"),
    (lambda: sz.stimulus("function_current", function=lambda t, i: 0 * t * i, parameters={"a": "1 nA"}),
     "function_current: parameters ['a'] are for an expression; a callable function takes none (give the values inside it)"),
    (lambda: sz.stimulus("function_current", function="t*a", parameters={"a": "1 nA/s", "t": "1 s"}),
     "function_current: parameter 't': t and i are the time and the neuron index in the expression; give the "
     "parameter another name"),
])
def test_expression_parameters_that_nothing_reads_are_refused(make, message):
    """They were ignored: a misspelt parameter, one given with a constant or a callable, and 't', which the
    expression read as the time."""
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        make()


def test_expression_parameters_must_be_a_mapping():
    with pytest.raises(ConfigError, match=r"^function_current: parameters: expected a mapping of names to quantities, "
                                          r"e.g. \{'amplitude': '0.1 nA'\}, got 3$"):
        sz.stimulus("function_current", function="a*t", parameters=3)


def test_function_current_needs_a_callable_or_an_expression():
    """A number was "drives() raised AttributeError: 'int' object has no attribute 'strip'" when it was added."""
    with pytest.raises(ConfigError, match=r"^function_current: function: expected a callable f\(t, i\) or an "
                                          r"expression such as 'amplitude\*sin\(2\*pi\*frequency\*t\)', got 3$"):
        sz.stimulus("function_current", function=3)


def test_step_current_switching_times():
    dt = 1e-4
    net = sz.Network(dt=dt * u.second, seed=0)
    net.add_population("l", "lif", 2)
    net.add_stimulus(sz.stimulus("step_current", times=[2, 5, 7.5] * u.ms,
                                 amplitudes=[[100, 10], [-50, 20], [0, 30]] * u.pA), "l")
    net.record("l", "I")
    net.run(10 * u.ms)
    t, data = trace(net)
    n = np.arange(t.size)
    for i, values in enumerate(([100, -50, 0], [10, 20, 30])):
        expected = np.select([n < 20, n < 50, n < 75], [0.0, values[0], values[1]], values[2]) * 1e-12
        np.testing.assert_allclose(data["I"][:, i], expected, rtol=1e-12, atol=0)


def test_step_current_switching_between_steps_takes_effect_at_the_next_step():
    """Each step sees the schedule's value at its start (as Brian2 samples a TimedArray): a switch at
    0.25 ms, at dt = 0.1 ms, shows at 0.3 ms (np.round put it at 0.2 ms, before it happens); 0.3 ms and
    0.7 ms stay on the grid (0.3 / 0.1 = 2.9999999999999996); 0.55 ms shows at 0.6 ms."""
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("l", "lif", 1)
    net.add_stimulus(sz.stimulus("step_current", times=[0.25, 0.3, 0.55, 0.7] * u.ms,
                                 amplitudes=[1, 2, 3, 4] * u.nA), "l")
    net.record("l", "I")
    net.run(1 * u.ms)
    _, data = trace(net)
    np.testing.assert_allclose(data["I"][:, 0], np.array([0, 0, 0, 2, 2, 2, 3, 4, 4, 4]) * 1e-9, rtol=1e-15, atol=0)


@pytest.mark.parametrize("times, amplitudes, fragment", [
    ([0, 5, 5] * u.ms, [1, 2, 3] * u.nA, "increasing"),
    ([0, 5] * u.ms, [1, 2, 3] * u.nA, "2 times"),
    ([0, 5] * u.mV, [1, 2] * u.nA, "times"),
    ([[0, 5]] * u.ms, [1, 2] * u.nA, r"^step_current: times: expected a flat list of switching times, got shape \(1, 2\)$"),
    ([0, 5] * u.ms, np.ones((2, 1, 1)) * u.nA,  # it was read as 2 x 1
     r"^step_current: 2 times but amplitudes of shape \(2, 1, 1\); expected \(2,\) or \(2, neurons\)$"),
])
def test_step_current_rejects_bad_schedules(times, amplitudes, fragment):
    net = sz.Network()
    net.add_population("l", "lif", 1)
    with pytest.raises((ConfigError, UnitError), match=fragment):
        net.add_stimulus(sz.stimulus("step_current", times=times, amplitudes=amplitudes), "l")


@pytest.mark.parametrize("name, settings, message", [
    ("constant_current", {"amplitude": [[1, 2, 3]] * u.nA}, "constant_current: amplitude: expected one value or 3 "
                                                            "(one per neuron), got shape (1, 3)"),
    ("noise_current", {"mean": [1, 2] * u.nA, "std": 1 * u.nA}, "noise_current: mean: expected one value or 3 "
                                                                "(one per neuron), got shape (2,)"),
    ("noise_current", {"mean": 1 * u.nA, "std": [[1, 1, 1]] * u.nA}, "noise_current: std: expected one value or 3 "
                                                                     "(one per neuron), got shape (1, 3)"),
    ("ou_current", {"mean": 1 * u.nA, "sigma": [1, 2] * u.nA, "tau": 5 * u.ms},
     "ou_current: sigma: expected one value or 3 (one per neuron), got shape (2,)"),
])
def test_currents_take_one_value_or_one_per_neuron(name, settings, message):
    """These were PluginErrors blaming the plugin for its drive ("drives() returned a GaussianDrive: 'mean' has
    shape (2,)"): the user's setting is named."""
    net = sz.Network()
    net.add_population("l", "lif", 3)
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        net.add_stimulus(sz.stimulus(name, **settings), "l")


def test_stimulus_target_must_be_an_input_variable():
    net = sz.Network()
    net.add_population("l", "lif", 1)
    with pytest.raises(ConfigError, match="not an input variable"):
        net.add_stimulus(sz.stimulus("constant_current", amplitude=1 * u.nA), "l", target="v")


# -- kernel cache ---------------------------------------------------------------------------------------------------

CACHE_PROBE = textwrap.dedent("""
    import json, time
    import snnzoo as sz
    from snnzoo import ureg as u
    from snnzoo.engine.kernel_cache import cache_dir

    model = sz.NeuronModel("cache_probe", "dx/dt = (x0 - x)/tau : 1", {"tau": 7 * u.ms, "x0": 0.25})
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    pop = net.add_population("p", model, 2, initial={"x": 1}, integrator="euler")
    began = time.perf_counter()
    net.run(1 * u.ms)
    seconds = time.perf_counter() - began
    stats = net._simulation.kernel.stats
    print(json.dumps({"hits": sum(stats.cache_hits.values()), "misses": sum(stats.cache_misses.values()),
                      "cache_dir": str(cache_dir()), "x": pop.get("x").magnitude.tolist(), "seconds": seconds}))
""")


def test_kernels_are_cached_on_disk_across_processes(tmp_path):
    # numba's cache next to the kernels, and Python's bytecode of the kernel module beside it as a user's
    # Python writes it (a warm run took the .pyc for a damaged numba file and recompiled every kernel)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["SNNZOO_CACHE_DIR"] = str(tmp_path)

    def probe():
        done = subprocess.run([sys.executable, "-c", CACHE_PROBE], env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    def files():
        return {p.relative_to(tmp_path).as_posix(): p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}

    first = probe()
    assert first["cache_dir"] == str(tmp_path / "kernels")
    assert first["misses"] >= 1 and first["hits"] == 0
    after_first = files()
    assert len([f for f in after_first if re.fullmatch(r"kernels/snnzoo_kernel_\w+\.py", f)]) == 1
    assert any(f.endswith(".nbi") for f in after_first) and any(f.endswith(".nbc") for f in after_first)
    assert any(re.fullmatch(r"kernels/__pycache__/snnzoo_kernel_\w+\.cpython-\w+\.pyc", f) for f in after_first)

    second = probe()
    assert second["hits"] >= 1 and second["misses"] == 0, second
    assert files() == after_first  # nothing regenerated or recompiled
    x_expected = 0.25 + 0.75 * (1 - 0.1 / 7) ** 10
    assert first["x"] == second["x"] == pytest.approx([x_expected] * 2, rel=1e-12)


def test_two_monitors_on_one_variable_keep_both_in_the_result():
    import snnzoo as sz
    from snnzoo import ureg as u

    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("p", "lif", 2)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=50 * u.pA), "p")
    net.record("p", ["v"], name="fast")
    net.record("p", ["v"], rate=1 * u.kHz, name="slow")
    net.run(10 * u.ms)
    ds = net.result()["p"].to_dataset()
    assert ds["v"].shape == (100, 2)
    assert ds["v_slow"].shape == (10, 2)
    assert (ds["v_slow"].values == ds["v"].values[::10]).all()

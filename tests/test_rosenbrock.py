"""The exponential Rosenbrock integrator: exact on linear decay, stable when stiff, Euler where growing."""

import numpy as np
import pytest

import snnzoo as sz
from snnzoo import ureg as u


def _trace(model, dt, duration, integrator):
    net = sz.Network(dt=dt, seed=0)
    net.add_population("p", model, 1, integrator=integrator)
    net.record("p", "x")
    net.run(duration)
    return net.records()[0].states[0].data["x"][:, 0]


def test_exact_for_linear_relaxation_even_with_dt_much_larger_than_tau():
    model = sz.NeuronModel("relax", "dx/dt = (2 - x)/tau : 1", {"tau": "0.02 ms"})
    x = _trace(model, 0.1 * u.ms, 1 * u.ms, "exponential_rosenbrock")
    exact = 2 - 2 * np.exp(-np.arange(x.size) * 0.1 / 0.02)
    assert np.max(np.abs(x - exact)) < 1e-12
    diverging = _trace(model, 0.1 * u.ms, 1 * u.ms, "euler")
    assert np.max(np.abs(diverging)) > 1e3  # forward Euler is unstable here (dt/tau = 5)


def test_nonlinear_stiff_equation_stays_bounded_and_converges():
    # a conductance with a voltage-dependent (Mg-block-like) factor: not linear in v
    model = sz.NeuronModel(
        "blocked", "dx/dt = -g*(x - E)/(1 + exp(-x/k))/C : volt", {"g": "1 uS", "E": "0 mV", "k": "10 mV", "C": "10 pF"},
        initial={"x": "-70 mV"},
    )
    coarse = _trace(model, 0.1 * u.ms, 20 * u.ms, "exponential_rosenbrock")
    fine = _trace(model, 0.001 * u.ms, 20 * u.ms, "rk4")
    assert np.all(np.isfinite(coarse))
    assert coarse[-1] == pytest.approx(fine[-1], abs=1e-6)


def test_growing_dynamics_fall_back_to_forward_euler():
    model = sz.NeuronModel("grow", "dx/dt = x/tau : 1", {"tau": "10 ms"}, initial={"x": 1})
    rosenbrock = _trace(model, 0.1 * u.ms, 5 * u.ms, "exponential_rosenbrock")
    euler = _trace(model, 0.1 * u.ms, 5 * u.ms, "euler")
    assert np.allclose(rosenbrock, euler, rtol=1e-14)

"""The binomial draw of Poisson inputs when nearly every input fires (a rate close to 1/dt)."""

from __future__ import annotations

import snnzoo as sz
from snnzoo import ureg as u


def _fired(count: int, missed: float, steps: int) -> float:
    """How many of ``count`` inputs fired over ``steps`` steps, each input missing a step with probability
    ``missed``."""
    net = sz.Network(dt="0.1 ms", seed=4)
    net.add_population("A", sz.NeuronModel("counter", "dx/dt = 0/second : 1"), 1)
    net.add_poisson_input("A", "x", count, (1 - missed) / 1e-4 * u.Hz, 1.0)
    net.run(steps * 0.1 * u.ms)
    return float(net.population("A").x.magnitude[0])


def test_nearly_every_input_firing_misses_some_as_the_binomial_says():
    """Binomial(1e5, 1 - 2e-5) misses 2 inputs per step on average; the draw counted the successes from
    q**n = 0 (below the smallest float) and gave all 1e5, every step (and took 1e5 iterations)."""
    missed = 100 * 100_000 - _fired(100_000, 2e-5, 100)
    assert 200 - 5 * 200**0.5 < missed < 200 + 5 * 200**0.5  # Poisson(200) misses over 100 steps


def test_a_draw_of_a_rare_outcome_is_unchanged():
    fired = _fired(1_000, 1 - 2e-3, 1000)  # 2 of 1000 fire per step
    assert 2000 - 5 * 2000**0.5 < fired < 2000 + 5 * 2000**0.5

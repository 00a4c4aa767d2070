"""Defects of the Python API and the command line found by trying them: each test failed before its fix."""

from __future__ import annotations

import re

import numpy as np
import pytest

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.errors import UnitError


def _spiking_model(name: str, **arguments) -> sz.NeuronModel:
    return sz.NeuronModel(name, "dv/dt = (I - v)/tau : volt (unless refractory)\nI : volt", {"tau": 10 * u.ms},
                          threshold="v > 1*mV", reset="v = 0*mV", **arguments)


def test_a_refractory_period_in_time_steps_is_that_many_steps():
    # "2*dt" was read by pint as 2 decitonnes: "expected dimension [time], got 2 dt of dimension [mass]"
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    by_model = net.add_population("M", _spiking_model("steps", refractory="2*dt"), 3)
    by_population = net.add_population("P", _spiking_model("plain"), 3, refractory="3*dt + 1*ms")
    assert by_model.refractory_steps(1e-4).tolist() == [2, 2, 2]
    assert by_population.refractory_steps(1e-4).tolist() == [13, 13, 13]
    assert by_model.to_dict()["refractory"] == "2*dt"
    for group in (by_model, by_population):
        group.I = 1 * u.V  # without refractoriness, a spike at every step
    net.run(5 * u.ms)
    for name, steps in (("M", 2), ("P", 13)):
        spikes = net.result()[name].to_dataset()
        times = spikes.spike_time.values[spikes.spike_neuron.values == 0]
        np.testing.assert_allclose(np.diff(times), steps * 1e-4, rtol=1e-9)

def test_a_refractory_period_cannot_read_the_simulated_time():
    with pytest.raises(UnitError, match=r"'2\*t' uses t; a refractory period may use parameters, declared variables, "
                                        "i, N and dt only"):
        _spiking_model("clock", refractory="2*t")


@pytest.mark.parametrize("make, fragment", [
    (lambda: sz.Network(dt="2*dt"), "dt: '2*dt' reads 'dt', the time step, which this value cannot"),
    (lambda: sz.Network(dt=0.1 * u.ms).run("5*t"), "duration: '5*t' reads 't', the simulated time, which this value"),
])
def test_a_quantity_text_that_reads_the_clock_is_refused_not_read_as_tonnes(make, fragment):
    # "2*dt" was 2 decitonnes and "5*t" 5 tonnes: a dimension error that named pint's units, not the clock
    with pytest.raises(UnitError, match=re.escape(fragment)):
        make()

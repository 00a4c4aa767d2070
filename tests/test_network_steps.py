"""Times as steps at the edges: times later than any run, refractory periods longer than the step counter
holds, durations shorter than one step (docs/bad-input.md, "times beyond the step counter")."""

from __future__ import annotations

import numpy as np
import pytest

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.errors import ConfigError
from snnzoo.time_steps import UNREACHED_STEP, first_step_from, step_containing


def test_times_later_than_any_run_stay_later():
    # 1e17 s is 1e21 steps of 0.1 ms, past int64: the cast wrapped around to a step before the start
    steps = np.array([1e17, 1e30, np.inf])
    assert (step_containing(steps, 1e-4) == UNREACHED_STEP).all()
    assert (first_step_from(steps, 1e-4) == UNREACHED_STEP).all()
    assert step_containing([0.00115], 1e-4).tolist() == [11]


@pytest.mark.parametrize("switch", [1e17, 1e30])
def test_a_step_current_switching_after_the_run_never_switches(switch):
    net = sz.Network(seed=1)
    net.add_population("A", "lif", 1)
    net.add_stimulus(sz.stimulus("step_current", times=[0, switch] * u.s, amplitudes=[0, 5] * u.nA), "A")
    net.run(5 * u.ms)
    assert int(net.result()["A"]["spike_count"].sum()) == 0  # it spiked at every step: 5 nA from the start


def test_spike_times_after_the_run_are_neither_emitted_nor_taken_for_duplicates():
    net = sz.Network(seed=1)
    generator = sz.stimulus("spike_generator", times=[1e30, 0.001, 2e30, 0.0002] * u.s, indices=[0, 1, 0, 0], size=2)
    net.add_source("G", generator)  # both late spikes of neuron 0 were "2 times in the step at 4.6e+17 ms"
    net.add_population("A", "lif", 2)
    net.connect("G", "A", on="v", weight=1 * u.mV, one_to_one=True)
    net.run(5 * u.ms)
    spikes = net.result()["G"]
    assert spikes["spike_time"].values.tolist() == pytest.approx([0.0002, 0.001])
    assert spikes["spike_neuron"].values.tolist() == [0, 1]


def _spike_counts(refractory, precision="double"):
    net = sz.Network(seed=1, precision=precision)
    net.add_population("A", "lif", 2, refractory=refractory)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=5 * u.nA), "A")
    net.run(3 * u.ms)
    return net.result()["A"]["spike_count"].values.tolist()


@pytest.mark.parametrize("precision", ["double", "single"])
@pytest.mark.parametrize("period", [3e5 * u.s, 1e30 * u.s, [5, 1e30] * u.s])
def test_refractory_periods_past_the_step_counter_are_refused(period, precision):
    # 3e5 s (3e9 steps) held the neurons refractory from the start (no spike); 1e30 s wrapped around to a
    # negative period (a spike at every step)
    with pytest.raises(ConfigError, match=r"population 'A' \(model 'lif'\): refractory .*: a period of 1e\+30 s|"
                                          r"population 'A' \(model 'lif'\): refractory .*: a period of 300000 s"):
        _spike_counts(period, precision)


@pytest.mark.parametrize("precision", ["double", "single"])
def test_the_longest_refractory_period_lets_each_neuron_spike_once(precision):
    assert _spike_counts((2**31 - 1) * 1e-4 * u.s, precision) == [1, 1]


@pytest.mark.parametrize("duration", ["1e-13 s", 1e-20 * u.s])
def test_a_duration_shorter_than_one_step_is_refused(duration):
    net = sz.Network(dt="0.1 ms")
    net.add_population("A", "lif", 1)
    with pytest.raises(ConfigError, match="duration .* is shorter than one step of dt = 0.1 ms"):
        net.run(duration)  # it ran no step, in silence


def test_a_time_step_longer_than_the_run_names_the_duration():
    net = sz.Network(dt="1 Ms")  # a megasecond: 100 ms is 1e-7 steps, which ran none
    net.add_population("A", "lif", 1)
    with pytest.raises(ConfigError, match=r"duration 100 ms is shorter than one step of dt = 1e\+09 ms"):
        net.run("100 ms")


def test_a_monitor_or_regular_operation_slower_than_any_run_acts_at_the_first_step_only():
    # every 1e34 steps was written into the kernel as a literal numba could not type: an internal error
    def final_v(chunks):
        net = sz.Network(seed=1)
        net.add_population("A", "lif", 2)
        net.run_regularly("A", "v = v + 1*mV", dt=1e30 * u.s, name="once")
        net.record("A", "v", rate=1e-30 * u.Hz)
        for chunk in chunks:
            net.run(chunk * u.ms)
        recorded = net.result()["A"]["v"]
        assert recorded.shape == (1, 2)
        assert recorded.values[0] == pytest.approx([-0.069, -0.069], abs=1e-9)  # E_L + 1 mV after step 0
        return net.population("A").v.magnitude

    once = final_v([2])
    assert (once > -0.07).all() and (once < -0.069).all()
    assert final_v([1, 1]).tolist() == once.tolist()  # not again at the start of the second run


@pytest.mark.parametrize("duration", ["0.25 ms", 0.25 * u.ms])
def test_a_duration_that_is_no_whole_number_of_steps_is_named_in_one_unit_with_dt(duration):
    """It said "duration 0.25 millisecond is not a whole number of steps of dt = 0.0001 s"."""
    net = sz.Network(dt="0.1 ms")
    net.add_population("A", "lif", 1)
    with pytest.raises(ConfigError, match=r"^duration 0.25 ms is 2.5 steps of dt = 0.1 ms; expected a whole number "
                                          r"of steps$"):
        net.run(duration)

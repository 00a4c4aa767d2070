"""snnzoo against Brian2 2.9.0 reference data (tests/reference/*.json, see the README there)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.catalog.experiment import Experiment

REFERENCE = Path(__file__).parent / "reference"


def reference(name: str) -> dict:
    return json.loads((REFERENCE / name).read_text())


def spike_steps(times, dt):
    steps = np.round(np.asarray(times) / dt).astype(np.int64)
    np.testing.assert_allclose(times, steps * dt, rtol=0, atol=1e-12)  # spikes are stamped at t = n*dt
    return steps


# -- W1: eight AdEx firing patterns ---------------------------------------------------------------------------------

# Neuron 7 ('delayed regular bursting') is sensitive to last-bit rounding: Brian2's own targets
# disagree on it from step ~3300 on unless the update is evaluated in exactly the order of its
# generated numpy code (tests/reference/README.md, "Target dependence"). snnzoo's kernel uses its
# own evaluation order, so its spike times agree for the first 17 spikes and then drift by a step
# or so; the count (29) still matches. Neurons 0-6 are robust and must match step for step.
W1_NEURON7_EXACT_SPIKES = 17


@pytest.fixture(scope="module")
def w1():
    return reference("brian2_w1_adex_patterns.json"), Experiment.load("adex-firing-patterns").run(seed=1)


def test_w1_spike_counts_equal_brian2(w1):
    ref, tree = w1
    np.testing.assert_array_equal(tree["adex"]["spike_count"].values, ref["spike_counts"])
    assert tree.attrs["dt"] == ref["dt"] and tree.attrs["duration"] == pytest.approx(ref["duration"])


@pytest.mark.parametrize("neuron", range(8))
def test_w1_spike_steps_equal_brian2(w1, neuron):
    ref, tree = w1
    ds = tree["adex"].to_dataset()
    mine = spike_steps(ds["spike_time"].values[ds["spike_neuron"].values == neuron], ref["dt"])
    theirs = np.asarray(ref["steps"][str(neuron)])
    assert mine.size == theirs.size
    if neuron < 7:
        np.testing.assert_array_equal(mine, theirs)
    else:
        np.testing.assert_array_equal(mine[:W1_NEURON7_EXACT_SPIKES], theirs[:W1_NEURON7_EXACT_SPIKES])
        # after that, rounding may shift spikes, but the bursting pattern stays close
        assert np.abs(mine - theirs).max() <= 50


def test_w1_split_into_runs_gives_the_same_spikes(w1):
    """Runs of odd lengths (crossing the current switch at 500 ms and chunk boundaries) change nothing."""
    _, tree = w1
    net = Experiment.load("adex-firing-patterns").build(seed=1)
    for duration in (123.4, 376.6, 0.1, 49.9):
        net.run(duration * u.ms)
    ds, whole = net.result()["adex"].to_dataset(), tree["adex"].to_dataset()
    np.testing.assert_array_equal(ds["spike_time"].values, whole["spike_time"].values)
    np.testing.assert_array_equal(ds["spike_neuron"].values, whole["spike_neuron"].values)
    np.testing.assert_array_equal(ds["v"].values, whole["v"].values)


# -- W2: Traub-Miles HH, 1 s at 0.01 ms ------------------------------------------------------------------------------


def test_w2_hh_spike_times_within_one_step():
    ref = reference("brian2_w2_hh.json")
    dt = ref["dt"]
    p = ref["parameters_si"]
    net = sz.Network(dt=dt * u.second, seed=1)
    # W2 runs N = 1000 identical copies; three are enough to see that copies stay identical
    net.add_population("hh", "hh_traub", 3, parameters={
        "Cm": p["Cm"] * u.farad, "gl": p["gl"] * u.siemens, "g_na": p["g_na"] * u.siemens,
        "g_kd": p["g_kd"] * u.siemens, "El": p["El"] * u.volt, "EK": p["EK"] * u.volt,
        "ENa": p["ENa"] * u.volt, "VT": p["VT"] * u.volt,
    })
    net.add_stimulus(sz.stimulus("constant_current", amplitude=p["I"] * u.amp), "hh")
    net.run(ref["duration"] * u.second)
    rec = net.records()[0]
    theirs = np.asarray(ref["spikes"]["0"])
    assert rec.spike_counts.tolist() == [ref["spike_count_neuron0"]] * 3 == [theirs.size] * 3
    for i in range(3):
        mine = rec.spike_times[rec.spike_neurons == i]
        assert np.abs(mine - theirs).max() <= dt * (1 + 1e-9)


# -- HH current step (Brian2 notebook) ------------------------------------------------------------------------------


def test_hh_current_step_trace_matches_brian2():
    ref = reference("brian2_hh_current_step.json")
    tree = Experiment.load("hh-current-step").run()
    ds = tree["hh"].to_dataset()
    v = ds["v"].values[:, 0]
    assert v.size == len(ref["v"]) == 300
    np.testing.assert_allclose(ds["time"].values, ref["t"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(v, ref["v"], rtol=0, atol=1e-6)
    assert np.ptp(ref["v"]) > 0.1  # the trace contains the action potential (a real comparison)
    assert ds["v"].attrs["units"] == "V"


def test_hh_current_step_100_ms_spike_times_match_brian2():
    ref = reference("brian2_hh_current_step.json")
    tree = Experiment.load("hh-current-step", ['duration = "100 ms"']).run()
    ds = tree["hh"].to_dataset()
    mine = spike_steps(ds["spike_time"].values, ref["dt"])
    np.testing.assert_array_equal(mine, ref["spike_steps_100ms"])
    # Brian2's level threshold: spikes that cross -20 mV during the 3 ms refractory period are detected
    # when it ends, so some intervals are exactly 300 steps
    assert 300 in np.diff(mine)


# -- W6: 1000 independent AdEx, currents 0..600 pA --------------------------------------------------------------------


def test_w6_counts_per_neuron_equal_brian2():
    ref = reference("brian2_w6_counts_n1000.json")
    n = ref["n_neurons"]
    net = sz.Network(dt=ref["dt"] * u.second, seed=1)
    # W6: tonic AdEx (the model's defaults), refractory 2 ms, I_i = 600 pA * i/(N-1)
    net.add_population("a", "adex", n, refractory=2 * u.ms)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=600 * u.pA * np.arange(n) / (n - 1)), "a")
    net.run(ref["duration"] * u.second)
    counts = net.records()[0].spike_counts
    np.testing.assert_array_equal(counts, ref["counts"])
    assert counts.sum() == ref["total_spikes"]

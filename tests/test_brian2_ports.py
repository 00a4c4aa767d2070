"""Models a Brian2 user ports from Brian2's examples and papers, written here as such a user would, against
Brian2 2.9 on the same model and parameters (``benchmarks/brian2_port_references.py``, which also holds the
equations both sides use): spike for spike where the model is deterministic, on statistics over seeds where
it is not."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import snnzoo as sz
from snnzoo import ureg as u

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from brian2_port_references import (DT, GAP_JUNCTION_NEURON, GAP_JUNCTION_SYNAPSE, IZHIKEVICH_EQUATIONS,  # noqa: E402
                                    IZHIKEVICH_TYPES, JEFFRESS, JEFFRESS_DETECTORS, JEFFRESS_EARS, NMDA_SYNAPSE,
                                    NON_RELIABILITY, SYNFIRE, SYNFIRE_EQUATIONS, jeffress_sound, jeffress_stats,
                                    pooled_isi_stats, synfire_packet, synfire_stats)
from test_brian2_examples import assert_same_statistics  # noqa: E402


def reference(name: str) -> dict:
    return json.loads((ROOT / "tests" / "reference" / f"brian2_port_{name}.json").read_text())


def spike_steps(record) -> np.ndarray:
    return np.rint(record.spike_times / DT).astype(np.int64)


def test_izhikevich_2003_four_types_spike_for_spike():
    ref = reference("izhikevich")
    model = sz.NeuronModel("izhikevich_2003", IZHIKEVICH_EQUATIONS, threshold="v >= 30*mV", reset="v = c; u += d",
                           integrator="euler")
    net = sz.Network(dt=DT * u.second, seed=1)
    G = net.add_population("G", model, len(IZHIKEVICH_TYPES))
    a, b, c, d = (np.array(column) for column in zip(*IZHIKEVICH_TYPES.values()))
    G.a, G.b, G.c, G.d = a / u.ms, b / u.ms, c * u.mV, d * u.mV / u.ms
    G.I = 10 * u.mV / u.ms
    G.v = -65 * u.mV
    G.u = "b*v"
    net.run(ref["duration"] * u.second)
    record = net.records()[0]
    assert spike_steps(record).tolist() == ref["spike_steps"]
    assert record.spike_neurons.tolist() == ref["spike_neurons"]
    # the same forward Euler summed in another order: the last digits differ, and 40 resets of the fast-spiking
    # neuron carry them to 1e-5 of v
    np.testing.assert_allclose(G.v.to("volt").magnitude, ref["v_end"], rtol=1e-4)
    np.testing.assert_allclose(G.u.to("volt/second").magnitude, ref["u_end"], rtol=1e-4)


def test_gap_junctions_spike_for_spike():
    ref = reference("gap_junctions")
    neuron = sz.NeuronModel("gap_cell", GAP_JUNCTION_NEURON, {"v0": 1.05, "tau": 10 * u.ms}, threshold="v > 1",
                            reset="v = 0", integrator="exact")
    gap = sz.SynapseModel("gap_junction", GAP_JUNCTION_SYNAPSE)
    net = sz.Network(dt=DT * u.second, seed=1)
    G = net.add_population("G", neuron, 10)
    G.v = "i * 1.0 / (N - 1)"
    S = net.connect("G", "G", synapse=gap, all_to_all=True)
    S.w = 0.02
    net.record("G", "v", neurons=[0, 9])
    net.run(ref["duration"] * u.second)
    record = net.records()[0]
    assert spike_steps(record).tolist() == ref["spike_steps"]
    assert record.spike_neurons.tolist() == ref["spike_neurons"]
    v = record.states[0].data["v"]
    np.testing.assert_allclose(v[:, 0], ref["v_0"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(v[:, 1], ref["v_9"], rtol=0, atol=1e-12)


def test_saturating_nmda_like_synapse_trace_for_trace():
    ref = reference("nmda_synapse")
    source = sz.NeuronModel("ramp", "dv/dt = 1/(10*ms) : 1", threshold="v > 1", reset="v = 0", integrator="euler")
    target = sz.NeuronModel("integrator", "dv/dt = (g - v)/(10*ms) : 1\ng : 1", integrator="euler")
    nmda = sz.SynapseModel("saturating_nmda", NMDA_SYNAPSE, {"a": 1 / (10 * u.ms), "b": 1 / (10 * u.ms),
                                                             "c": 1 / (10 * u.ms)}, on_pre="x += w", integrator="euler")
    net = sz.Network(dt=DT * u.second, seed=1)
    inputs = net.add_population("input", source, 2)
    net.add_population("neuron", target, 1)
    S = net.connect("input", "neuron", synapse=nmda, all_to_all=True)
    S.w = [1.0, 10.0]
    inputs.v = [0.0, 0.5]
    net.record("neuron", ["v", "g"])
    net.run(ref["duration"] * u.second)
    spikes, neuron = net.records()
    assert spike_steps(spikes).tolist() == ref["source_spike_steps"]
    assert spikes.spike_neurons.tolist() == ref["source_spike_neurons"]
    data = neuron.states[0].data
    assert max(ref["g"]) > 0.5  # the synapse saturates
    np.testing.assert_allclose(data["g"][:, 0], ref["g"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(data["v"][:, 0], ref["v"], rtol=0, atol=1e-12)


def test_non_reliability_matches_brian2_statistics():
    ref = reference("non_reliability")
    model = sz.NeuronModel("noisy_if", NON_RELIABILITY, {"tau": 20 * u.ms, "sigma": 0.015}, threshold="x > 1",
                           reset="x = 0", refractory=5 * u.ms, integrator="euler")
    ours = []
    for seed in (1, 2, 3):
        net = sz.Network(dt=DT * u.second, seed=seed)
        net.add_population("G", model, 25)
        net.run(ref["duration"] * u.second)
        record = net.records()[0]
        ours.append(pooled_isi_stats(spike_steps(record), record.spike_neurons, 25, ref["duration"]))
    assert_same_statistics(ours, ref)


def test_synfire_chain_matches_brian2_statistics():
    ref = reference("synfire_chain")
    size, groups = SYNFIRE["group_size"], SYNFIRE["groups"]
    model = sz.NeuronModel("synfire_if", SYNFIRE_EQUATIONS, {"Vr": -70 * u.mV, "Vt": -55 * u.mV, "taum": 10 * u.ms,
                                                            "taupsp": 0.325 * u.ms},
                           threshold="V > Vt", reset="V = Vr", refractory=1 * u.ms, integrator="euler")
    ours = []
    for seed in (1, 2, 3):
        net = sz.Network(dt=DT * u.second, seed=seed)
        P = net.add_population("P", model, size * groups)
        P.V = "Vr + rand()*(Vt - Vr)"
        net.add_source("packet", sz.stimulus("spike_generator", times=synfire_packet(seed) * u.second,
                                             indices=np.arange(SYNFIRE["packet"])))
        net.connect("P", "P", on="y", weight=4.86 * u.mV, delay=SYNFIRE["delay"] * u.second,
                    condition=f"floor(j/{size}) == floor(i/{size}) + 1")
        net.connect("packet", f"P[:{size}]", on="y", weight=4.86 * u.mV, all_to_all=True)
        net.run(ref["duration"] * u.second)
        record = net.records()[0]
        ours.append(synfire_stats(spike_steps(record), record.spike_neurons))
    assert_same_statistics(ours, ref)


def test_jeffress_sound_localisation_matches_brian2_statistics():
    ref = reference("jeffress")
    n, max_delay = JEFFRESS["detectors"], JEFFRESS["max_delay"]
    detector = sz.NeuronModel("coincidence_detector", JEFFRESS_DETECTORS, {"tau": JEFFRESS["tau"] * u.second,
                                                                          "sigma": JEFFRESS["sigma"]},
                              threshold="v > 1", reset="v = 0", integrator="euler")
    ours = []
    for seed in (1, 2):
        sound = sz.TimedArray(jeffress_sound(seed, ref["duration"]), dt=JEFFRESS["dt"] * u.second, name="sound")
        ear = sz.NeuronModel("ear", JEFFRESS_EARS, {"tau_ear": 1 * u.ms, "sigma_ear": 0.1,
                                                   "angular_speed": 2 * np.pi / u.second},
                             threshold="x > 1", reset="x = 0", refractory=2.5 * u.ms, integrator="euler",
                             functions={"sound": sound})
        net = sz.Network(dt=JEFFRESS["dt"] * u.second, seed=seed)
        ears = net.add_population("ears", ear, 2)
        ears.distance = [-0.5 * max_delay, 0.5 * max_delay] * u.second
        net.add_population("neurons", detector, n)
        net.connect("ears", "neurons", on="v", weight=0.5, all_to_all=True, round_delays=True,
                    delay=f"((i == 0)*j + (i == 1)*(N_post - j - 1))/(N_post - 1)*{max_delay}*second")
        net.run(ref["duration"] * u.second)
        record = net.records()[1]
        ours.append(jeffress_stats(record.spike_times, record.spike_neurons, ref["duration"]))
    assert min(s["tracking"] for s in ours) > 0.5  # the firing detector follows the source around the head
    assert_same_statistics(ours, ref)


# what a Brian2 user writes first, and the error that tells the snnzoo way


def test_brian2_keywords_are_refused_naming_the_snnzoo_way():
    # NeuronModel and SynapseModel raised Python's bare TypeError ("unexpected keyword argument 'method'"); the
    # methods listed their keywords without saying which one is Brian2's
    equations = "dv/dt = -v/(10*ms) : volt"
    with pytest.raises(sz.ConfigError, match=r"NeuronModel\(\) keyword 'method'.*Brian2's method= is integrator="):
        sz.NeuronModel("lif", equations, method="euler")
    with pytest.raises(sz.ConfigError, match=r"SynapseModel\(\) keyword 'model'.*Brian2's model= is the equations"):
        sz.SynapseModel("pair", model="w : 1", on_pre="v += w")
    net = sz.Network()
    net.add_population("G", sz.NeuronModel("lif", equations), 2)
    with pytest.raises(sz.ConfigError, match=r"add_population\(\) keyword 'method'.*integrator="):
        net.add_population("H", "lif", 2, method="euler")
    with pytest.raises(sz.ConfigError, match=r"connect\(\) keyword 'on_pre'.*Brian2's on_pre= is on= here"):
        net.connect("G", "G", on_pre="v += 1*mV", p=0.5)
    with pytest.raises(sz.ConfigError, match=r"record\(\) keyword 'record'.*Brian2's record= is neurons= here"):
        net.record("G", "v", record=[0])


def test_brian2_integration_methods_name_the_snnzoo_integrator():
    from snnzoo.errors import UnknownNameError

    net = sz.Network()
    model = sz.NeuronModel("lif", "dv/dt = -v/(10*ms) : volt", integrator="linear")
    with pytest.raises(UnknownNameError, match=r"unknown integrator 'linear'.*Brian2's 'linear' is 'exact' here"):
        net.add_population("G", model, 2)
    with pytest.raises(UnknownNameError, match=r"Brian2's 'independent' is 'exact' here"):
        sz.integrator("independent")


def test_stimulus_settings_given_by_position_are_refused_naming_them():
    # Brian2's SpikeGeneratorGroup(N, indices, times): a bare TypeError ("takes 1 positional argument")
    with pytest.raises(sz.ConfigError, match=r"stimulus 'spike_generator': give its settings by name "
                                             r"\(times=\.\.\., indices=\.\.\., size=\.\.\.\), not by position"):
        sz.stimulus("spike_generator", 2, [0, 1], [1, 2] * u.ms)


def test_a_condition_as_index_is_refused_before_its_value_is_read():
    # Brian2's S.w['i==0'] = 'j*mV' read the value first: "cannot read 'j*mV' as a quantity ...; did you mean
    # 'J*mV'?", which said nothing of the index
    net = sz.Network()
    net.add_population("G", sz.NeuronModel("lif", "dv/dt = -v/(10*ms) : volt"), 2)
    S = net.connect("G", "G", on="v", weight=1 * u.mV, all_to_all=True)
    with pytest.raises(sz.ConfigError, match=r"\['i==0'\]: an index is a position, a slice or a list of them, "
                                             "not a condition.*, or set an expression$"):
        S.w["i==0"] = "j*mV"


@pytest.mark.parametrize("index", ["i==0", 0, slice(None)])
def test_delays_set_by_item_say_they_are_fixed_whatever_the_index(index):
    # Brian2's S.delay['i==0'] = 'j*ms': the condition was refused with the advice to "set an expression", which
    # delays cannot take after connect
    net = sz.Network()
    net.add_population("G", sz.NeuronModel("lif", "dv/dt = -v/(10*ms) : volt"), 2)
    S = net.connect("G", "G", on="v", weight=1 * u.mV, all_to_all=True)
    with pytest.raises(sz.ConfigError, match=r"^projection '.*': 'delay' is fixed when the projection is made; give "
                                             r"delays in connect\(\.\.\., delay=\.\.\.\)"):
        S.delay[index] = "j*ms"
    assert S.get("delay").magnitude.tolist() == [0.0] * 4


def test_a_projection_without_weight_shows_brian2s_constant_effect_the_snnzoo_way():
    # Brian2's on_pre='v += 0.5*mV' carries its weight in the statement; "give the weight of the synapses" said
    # neither where nor how
    net = sz.Network()
    net.add_population("G", sz.NeuronModel("lif", "dv/dt = -v/(10*ms) : volt"), 2)
    with pytest.raises(sz.ConfigError, match=r"give the weight of the synapses, weight=\.\.\., the w that on= adds "
                                             r"\(Brian2's on_pre='v \+= 0\.5\*mV' is on='v', weight=0\.5\*mV\)"):
        net.connect("G", "G", on="v += 0.5*mV", all_to_all=True)


def test_a_value_in_a_compound_unit_reads_in_its_own_si_units():
    # Izhikevich's u : volt/second read as kg*m^2/(s^4*A) (its SI base units); Brian2 shows volt/second
    model = sz.NeuronModel("compound", "du/dt = -u/(10*ms) : volt/second\ng : msiemens/cm**2\nr_i : ohm*cm")
    net = sz.Network()
    G = net.add_population("G", model, 2)
    G.u, G.g, G.r_i = 2 * u.mV / u.ms, 3 * u.mS / u.cm**2, 100 * u.ohm * u.cm
    assert (G.u.units, G.g.units, G.r_i.units) == (u.volt / u.second, u.siemens / u.meter**2, u.ohm * u.meter)
    np.testing.assert_allclose([G.u.magnitude[0], G.g.magnitude[0], G.r_i.magnitude[0]], [2.0, 30.0, 1.0])
    from snnzoo.units import si_unit_string

    # units worth other than 1 in base units without their prefix (gram, litre) are written in base units
    assert [si_unit_string(unit) for unit in ("mV/ms", "mV*ms", "gram/second", "liter/second")] == \
        ["V*s^-1", "V*s", "kg*s^-1", "m^3*s^-1"]

"""Projections that run synapse models: Brian2 references, exact event-driven updates, delays,
per-synapse parameters, recording and result storage."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import snnzoo as sz
from snnzoo import ureg as u

ROOT = Path(__file__).parent.parent
REFERENCE = ROOT / "tests" / "reference"
_spec = importlib.util.spec_from_file_location("brian2_synapse_references",
                                               ROOT / "benchmarks" / "brian2_synapse_references.py")
refs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(refs)

# a neuron that spikes one step after any input reaches v (to place pre and post spikes exactly)
RELAY = sz.NeuronModel("relay", "v : 1\nge : 1", threshold="v > 0.5", reset="v = 0")
# a synapse model with a parameter that may be 0 but not negative
GAINED = sz.SynapseModel("gained", "w : 1", {"gain": sz.Parameter(1.0, "gain", non_negative=True)},
                         on_pre="ge += w*gain")


def test_stdp_matches_brian2_with_fixed_inputs():
    reference = json.loads((REFERENCE / "brian2_stdp_fixed_inputs.json").read_text())
    p = refs.STDP
    steps, indices, weights = refs.stdp_inputs()
    net = sz.Network(dt=refs.DT * u.s, seed=1)
    net.add_population("n", "lif_song", 1)
    net.add_source("in", sz.stimulus("spike_generator", times=steps * refs.DT * u.s, indices=indices, size=p["N"]))
    net.connect("in", "n", synapse="stdp", weight=weights, all_to_all=True, name="S",
                parameters={"wmax": p["gmax"], "dApre": p["dApre"], "dApost": p["dApost"]})
    net.run(p["duration"] * u.s)
    tree = net.result()
    post = np.round(tree["n"].dataset.spike_time.values / refs.DT).astype(int)
    assert post.tolist() == reference["post_spike_steps"] and post.size > 20
    final = tree["projections/S"].dataset.weight.values
    np.testing.assert_allclose(final, reference["final_weights"], rtol=1e-9, atol=0)
    assert np.ptp(final) > 0.5 * p["gmax"]  # the weights moved


@pytest.mark.parametrize("name, weight_set_later", [("pair", False), ("triplet", False), ("pair", True)])
def test_stored_traces_match_brian2(name, weight_set_later):
    # Brian2 stores an event-driven trace per synapse as of the synapse's last event, pre- or postsynaptic;
    # snnzoo keeps these traces per neuron and reported them as of the neuron's own last event
    # (they differed by up to 0.003 for Apre and 2.9 for r1 here). The reference sets the weights after
    # connecting, S.w = '0.02 + 0.001*i + 0.005*j': so does weight_set_later (there was no way to)
    reference = json.loads((REFERENCE / "brian2_stdp_stored_traces.json").read_text())[name]
    p = refs.STORED_TRACES
    spec = p["models"][name]
    steps, indices = refs.stored_traces_inputs()
    model = sz.SynapseModel(f"stored_{name}", spec["equations"], on_pre=spec["on_pre"], on_post=spec["on_post"])
    net = sz.Network(dt=refs.DT * u.s, seed=1)
    net.add_population("n", "lif_song", p["n_neurons"])
    net.add_source("in", sz.stimulus("spike_generator", times=steps * refs.DT * u.s, indices=indices,
                                     size=p["n_inputs"]))
    projection = net.connect("in", "n", synapse=model, weight=None if weight_set_later else p["weight"],
                             post_delay=p["post_delay"] * u.s, all_to_all=True, name="S")
    if weight_set_later:
        projection.w = p["weight"]
    net.record_synapses("S", spec["traces"], synapses=p["recorded"], rate=1 / (p["record_every"] * u.s))
    net.run(p["duration"] * u.s)
    tree = net.result()
    assert tree["n"].dataset.spike_time.size == reference["n_post_spikes"]
    stored, recorded = tree["projections/S"].dataset, tree["projections/S/record0"].dataset
    np.testing.assert_allclose(stored.weight.values, reference["final_weights"], rtol=1e-9, atol=0)
    for trace in spec["traces"]:
        scale = np.abs(reference["final"][trace]).max()
        np.testing.assert_allclose(stored[trace].values, reference["final"][trace], rtol=0, atol=1e-12 * scale)
        np.testing.assert_allclose(recorded[trace].values, reference["recorded"][trace], rtol=0, atol=1e-12 * scale)


def _tm_network(panel: dict) -> sz.Network:
    facilitating = panel["tau_facil"] is not None
    equations = """
    dx/dt = z/tau_rec : 1 (clock-driven)
    dy/dt = -y/tau_inact : 1 (clock-driven)
    A_SE : ampere
    z = 1 - x - y : 1
    I_syn_post = A_SE*y : ampere (summed)
    """ + ("du/dt = -u/tau_facil : 1 (clock-driven)" if facilitating else "")
    parameters = {"U_SE": panel["U_SE"], "tau_inact": panel["tau_inact"] * u.s, "tau_rec": panel["tau_rec"] * u.s}
    if facilitating:
        parameters["tau_facil"] = panel["tau_facil"] * u.s
    action = "u += U_SE*(1-u); y += u*x; x += -u*x" if facilitating else "y += U_SE*x; x += -U_SE*x"
    synapse = sz.SynapseModel("tm_b2", equations, parameters, on_pre=action, initial={"x": 1},
                              integrator="exponential_euler")
    neuron = sz.NeuronModel("membrane", "dv/dt = -v/tau_mem + (R_in*I_syn)/tau_mem : volt\nI_syn : amp",
                            {"tau_mem": panel["tau_mem"] * u.s, "R_in": panel["R_in"] * u.ohm},
                            integrator="exponential_euler")
    net = sz.Network(dt=refs.DT * u.s, seed=1)
    net.add_population("n", neuron, 1)
    steps = refs.tm_input_steps(panel)
    net.add_source("in", sz.stimulus("spike_generator", times=steps * refs.DT * u.s, indices=np.zeros_like(steps)))
    net.connect("in", "n", synapse=synapse, initial={"A_SE": panel["A_SE"] * u.A}, all_to_all=True, name="S")
    net.record("n", "v")
    return net


@pytest.mark.parametrize("panel", ["A", "B"])
def test_tsodyks_markram_trace_matches_brian2(panel):
    reference = json.loads((REFERENCE / "brian2_tsodyks_markram.json").read_text())[panel]
    net = _tm_network(refs.TM_PANELS[panel])
    net.run(refs.TM_PANELS[panel]["duration"] * u.s)
    v = net.result()["n"].dataset.v.values[:, 0]
    expected = np.asarray(reference["v"])
    assert v.shape == expected.shape and expected.max() > 5e-4
    np.testing.assert_allclose(v, expected, rtol=1e-9, atol=1e-9 * np.abs(expected).max())


def _pair_network(interval_steps: int | None = None, delay="0 ms", post_delay=None, model="stdp", *,
                  pre_steps=(1000,), post_steps=None, n_post=1, **connect):
    """Relay neurons: one presynaptic spiking at ``pre_steps``, ``n_post`` postsynaptic ones at ``post_steps``
    (default: one spike ``interval_steps`` after the first presynaptic one), joined by plastic synapses."""
    post_steps = post_steps if post_steps is not None else (pre_steps[0] + interval_steps,)
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("pre", RELAY, 1)
    net.add_population("post", RELAY, n_post)
    steps = np.array([*pre_steps, *post_steps]) - 1  # a relay fires one step after its input
    indices = [0] * len(pre_steps) + [1] * len(post_steps)
    net.add_source("drive", sz.stimulus("spike_generator", times=steps * 0.1 * u.ms, indices=indices, size=2))
    net.connect("drive[0:1]", "pre", on="v", weight=1, all_to_all=True)
    net.connect("drive[1:2]", "post", on="v", weight=1, all_to_all=True)
    net.connect("pre", "post", synapse=model, weight=0.005, all_to_all=True, name="S", delay=delay,
                post_delay=post_delay, **connect)
    return net


def _final_change(net) -> np.ndarray:
    net.run(250 * u.ms)
    return net.projections["S"].weights().magnitude - 0.005


@pytest.mark.parametrize("interval", [-150, -40, -1, 1, 40, 150])
def test_pair_stdp_follows_the_exponential_window(interval):
    net = _pair_network(interval)
    net.run(250 * u.ms)
    dw = float(net.projections["S"].weights().magnitude[0]) - 0.005
    model = sz.synapse_model("stdp")
    tau = model.parameters["taupre"].default
    dt = interval * 1e-4
    expected = (model.parameters["dApre"].default * np.exp(-dt / tau) if interval > 0
                else model.parameters["dApost"].default * np.exp(dt / tau))
    assert dw == pytest.approx(expected, rel=1e-12)


def test_presynaptic_and_backpropagation_delays_shift_the_window():
    # pre at 1000, post at 1040; a 2 ms presynaptic delay makes the pre event arrive at 1020,
    # a 3 ms postsynaptic delay the post event at 1070: effective interval 5 ms
    net = _pair_network(40, delay="2 ms", post_delay="3 ms")
    net.run(250 * u.ms)
    dw = float(net.projections["S"].weights().magnitude[0]) - 0.005
    assert dw == pytest.approx(1e-4 * np.exp(-5e-3 / 20e-3), rel=1e-12)


def test_round_delays_also_rounds_the_postsynaptic_delay():
    # post_delay 0.25 ms was refused with "round_delays=True rounds to the nearest" even with round_delays=True;
    # it now rounds to 0.3 ms (halves up, as Brian2): the post event arrives at 1043, 4.3 ms after the pre one
    dw = _final_change(_pair_network(40, post_delay="0.25 ms", round_delays=True))[0]
    assert dw == pytest.approx(1e-4 * np.exp(-4.3e-3 / 20e-3), rel=1e-12)


def test_per_synapse_time_constants_give_each_synapse_its_window():
    # taupre differs per synapse, so Apre is kept per synapse (not per neuron) and decays with its own constant
    dw = _final_change(_pair_network(100, n_post=2, parameters={"taupre": [10, 30] * u.ms}))
    np.testing.assert_allclose(dw, 1e-4 * np.exp(-10e-3 / np.array([10e-3, 30e-3])), rtol=1e-12)


def test_nearest_spike_stdp_counts_only_the_latest_presynaptic_spike():
    pre = (1000, 1100)  # two presynaptic spikes 10 ms and 20 ms before the postsynaptic one
    nearest = _final_change(_pair_network(model="stdp_nearest", pre_steps=pre, post_steps=(1200,)))[0]
    all_to_all = _final_change(_pair_network(model="stdp", pre_steps=pre, post_steps=(1200,)))[0]
    assert nearest == pytest.approx(1e-4 * np.exp(-0.5), rel=1e-12)
    assert all_to_all == pytest.approx(1e-4 * (np.exp(-0.5) + np.exp(-1.0)), rel=1e-12)


def test_triplet_stdp_potentiates_post_pre_post_triplets():
    model = sz.synapse_model("triplet_stdp")
    p = {name: spec.default for name, spec in model.parameters.items()}
    pair = _final_change(_pair_network(model="triplet_stdp", pre_steps=(1000,), post_steps=(1100,)))[0]
    triplet = _final_change(_pair_network(model="triplet_stdp", pre_steps=(1000,), post_steps=(900, 1100)))[0]
    wmax = p["wmax"]
    assert pair == pytest.approx(wmax * np.exp(-10e-3 / p["tau_plus"]) * p["A2p"], rel=1e-9)
    depression = wmax * np.exp(-10e-3 / p["tau_minus"]) * p["A2m"]  # post at 900 before pre at 1000
    potentiation = wmax * np.exp(-10e-3 / p["tau_plus"]) * (p["A2p"] + p["A3p"] * np.exp(-20e-3 / p["tau_y"]))
    assert triplet == pytest.approx(potentiation - depression, rel=1e-9)
    assert potentiation > 100 * abs(pair)  # the minimal model needs the earlier postsynaptic spike


def test_per_synapse_parameters_delays_and_connectivity_rules():
    net = sz.Network(dt=0.1 * u.ms, seed=4)
    net.add_population("post", RELAY, 20)
    net.add_source("in", sz.stimulus("poisson_group", size=30, rate=200 * u.Hz))
    net.add_source("drive", sz.stimulus("poisson_group", size=20, rate=50 * u.Hz))
    net.connect("drive", "post", on="v", weight=1, one_to_one=True)
    taupre = np.linspace(5, 40, 120) * u.ms
    net.connect("in", "post", synapse="stdp", weight={"distribution": "uniform", "low": 0, "high": 0.01},
                fixed_in_degree=6, delay=np.tile([0.5, 1.0, 1.5], 40) * u.ms, name="S",
                parameters={"taupre": taupre})
    net.connect("in", "post", synapse="stdp", weight=0.004, p=0.3, name="T")
    net.record_synapses("S", ["w", "Apre"], synapses=[0, 5, 7], rate=1 * u.kHz)
    net.run(200 * u.ms)
    tree = net.result()
    s = tree["projections/S"].dataset
    assert s.sizes["synapse"] == 120 and s.weight.attrs["units"] == "1"
    assert len(set(np.round(s.delay.values * 1e4).astype(int))) == 3
    assert np.all((s.weight.values >= 0) & (s.weight.values <= 0.01))
    assert s.attrs["synapse_model"] == "stdp" and "Apre" in s and "taupre" in s
    record = tree["projections/S/record0"].dataset
    assert record.w.dims == ("time", "recorded_synapse") and record.sizes["time"] == 200
    assert record.recorded_synapse.values.tolist() == [0, 5, 7] and record.Apre.attrs["units"] == "1"
    w = record.w.values
    assert np.all((w >= 0) & (w <= 0.01)) and np.any(w[-1] != w[0])  # sampled within bounds, and learning
    assert tree["projections/T"].dataset.weight.values.std() > 0  # the second plastic projection learnt too


def test_values_set_after_connecting_act_as_values_given_to_connect():
    # Brian2 sets synaptic values once the synapses exist (S.w = '...', S.taupre = '...'); set before the
    # first run gives what connect(weight=..., parameters=...) gives, also where per-synapse delays put the
    # synapses in another order (by presynaptic neuron, then delay): i and j are read in that order
    def run(set_later: bool):
        net = sz.Network(dt=0.1 * u.ms, seed=4)
        net.add_population("post", RELAY, 4)
        net.add_source("in", sz.stimulus("poisson_group", size=6, rate=200 * u.Hz))
        net.add_source("drive", sz.stimulus("poisson_group", size=4, rate=50 * u.Hz))
        net.connect("drive", "post", on="v", weight=1, one_to_one=True)
        weight, taupre = "0.001*(1 + i) + 0.002*j", "5*ms + 2*ms*(i + j)"
        projection = net.connect("in", "post", synapse="stdp", weight=None if set_later else weight,
                                 parameters={} if set_later else {"taupre": taupre}, all_to_all=True,
                                 delay=np.tile([1.5, 0.5, 1.0], 8) * u.ms, name="S")
        if set_later:
            projection.set("w", weight)
            projection.taupre = taupre
        i, j = projection.get("i"), projection.get("j")
        assert i.tolist() == sorted(i.tolist()) and j.tolist() != sorted(j.tolist())  # reordered by delay
        start = 0.001 * (1 + i) + 0.002 * j
        np.testing.assert_allclose(projection.w.magnitude, start, rtol=1e-15)
        np.testing.assert_allclose(projection.get("taupre").to("ms").magnitude, 5 + 2 * (i + j), rtol=1e-15)
        net.run(100 * u.ms)
        final = projection.get("w").magnitude
        assert np.any(final != start)  # the synapses learnt
        return final

    np.testing.assert_array_equal(run(False), run(True))


def test_same_seed_same_weights_whatever_the_chunking():
    def final(chunks):
        net = sz.Network(dt=0.1 * u.ms, seed=7)
        net.add_population("n", "lif_song", 3)
        net.add_source("in", sz.stimulus("poisson_group", size=200, rate=20 * u.Hz))
        net.connect("in", "n", synapse="stdp", weight=0.006, p=0.5, name="S")
        for _ in range(chunks):
            net.run(600 * u.ms / chunks)
        return net.projections["S"].weights().magnitude

    np.testing.assert_array_equal(final(1), final(3))


def test_saturating_nmda_sums_into_the_target():
    neuron = sz.NeuronModel("n_nmda", "dv/dt = -v/(10*ms) + g_nmda*mV/(nS*ms) : volt\ng_nmda : siemens")
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("n", neuron, 2)
    net.add_source("in", sz.stimulus("spike_generator", times=[1, 1, 2] * u.ms, indices=[0, 1, 0], size=2))
    net.connect("in", "n", synapse="nmda_saturating", weight=[1, 2, 3] * u.nS, i=[0, 1, 0], j=[0, 0, 1], name="S")
    net.record("n", "g_nmda")
    net.record_synapses("S", ["s"])
    net.run(20 * u.ms)
    tree = net.result()
    g = tree["n"].dataset.g_nmda.values
    record = tree["projections/S/record0"].dataset
    weights = tree["projections/S"].dataset.weight.values
    # g_nmda is recorded at the start of a step, before that step's sum: it equals the sum of the previous step
    for neuron in (0, 1):
        incoming = record.post.values == neuron
        expected = (record.s.values[:-1, incoming] * weights[incoming]).sum(axis=1)
        np.testing.assert_allclose(g[1:, neuron], expected, rtol=1e-12)
    assert 0 < record.s.values.max() < 1 and g.max() > 1e-9


def test_several_projections_sum_into_one_variable():
    # S1 reaches neurons 0-1 only, S2 all four: each neuron's g_total is the sum over both projections
    # (the second projection used to overwrite the first one's sum)
    neuron = sz.NeuronModel("n_sum2", "dv/dt = -v/(10*ms) : volt\ng_total : siemens")
    decaying = sz.SynapseModel("decaying", "w : siemens\ndg/dt = -g/(5*ms) : siemens (clock-driven)\n"
                                           "g_total_post = g : siemens (summed)", on_pre="g += w")
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("n", neuron, 4)
    net.add_source("in", sz.stimulus("spike_generator", times=[1, 2] * u.ms, indices=[0, 1], size=2))
    net.connect("in[0:1]", "n[0:2]", synapse=decaying, weight=1 * u.nS, all_to_all=True, name="S1")
    net.connect("in[1:2]", "n", synapse=decaying, weight=2 * u.nS, all_to_all=True, name="S2")
    net.record("n", "g_total")
    for name in ("S1", "S2"):
        net.record_synapses(name, ["g"])
    net.run(5 * u.ms)
    tree = net.result()
    expected = np.zeros((50, 4))
    for name in ("S1", "S2"):
        record = tree[f"projections/{name}/record0"].dataset
        for column, neuron_index in enumerate(record.post.values):
            expected[1:, neuron_index] += record.g.values[:-1, column]
    np.testing.assert_allclose(tree["n"].dataset.g_total.values, expected, rtol=1e-12, atol=0)
    assert expected[30, 0] > expected[30, 2] > 0  # neurons 0-1 get both projections, 2-3 only S2


def test_a_weight_with_a_unit_may_be_left_to_the_initial_values():
    # w in siemens, no weight= (it was "weight: expected a quantity of dimension [conductance], got the
    # plain number 0.0", a weight the user never gave): w starts at its initial value, or 0 nS
    model = sz.SynapseModel("in_siemens", "w : siemens", on_pre="g_nmda += w")
    neuron = sz.NeuronModel("n_g", "dv/dt = -v/(10*ms) : volt\ng_nmda : siemens")
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("n", neuron, 2)
    net.add_source("in", sz.stimulus("spike_generator", times=[1] * u.ms, indices=[0]))
    net.connect("in", "n[0:1]", synapse=model, all_to_all=True, name="zero")
    net.connect("in", "n[1:2]", synapse=model, all_to_all=True, name="given", initial={"w": 3 * u.nS})
    net.run(2 * u.ms)
    assert net.projections["zero"].weights().to("nS").magnitude.tolist() == [0.0]
    assert net.projections["given"].weights().to("nS").magnitude.tolist() == [pytest.approx(3.0)]
    assert net.population("n").g_nmda.to("nS").magnitude.tolist() == [0.0, pytest.approx(3.0)]


def test_floor_division_in_conditions_and_statements():
    # Brian2's 'j == i // 2' (it was "unsupported syntax 'i // 2'"); a // b is floor(a/b), also for negatives
    model = sz.SynapseModel("halving", "w : 1", on_pre="ge += w*((-3) // 2)")
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("n", RELAY, 2)
    net.add_source("in", sz.stimulus("spike_generator", times=[1] * u.ms, indices=[2], size=4))
    projection = net.connect("in", "n", synapse=model, weight=1, condition="j == i // 2", name="S")
    assert list(zip(projection.synapses.pre, projection.synapses.post)) == [(0, 0), (1, 0), (2, 1), (3, 1)]
    net.run(2 * u.ms)
    assert net.population("n").ge.magnitude.tolist() == [0.0, -2.0]


def test_statements_read_the_synapse_indices():
    # Brian2's i and j (pre- and postsynaptic index) in on_pre and summed variables; they were read as
    # neuron variables ("reads 'i_post', but the postsynaptic model has no variable 'i'")
    neuron = sz.NeuronModel("indexed", "v : 1\nge : 1\ng_total : 1")
    model = sz.SynapseModel("indices", "w : 1\ng_total_post = w*(100*i + j) : 1 (summed)", on_pre="ge += i + 10*j")
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("n", neuron, 2)
    net.add_source("in", sz.stimulus("spike_generator", times=[1, 1, 1] * u.ms, indices=[0, 1, 2], size=3))
    net.connect("in", "n", synapse=model, weight=1, all_to_all=True)
    net.run(2 * u.ms)
    n = net.population("n")
    assert n.ge.magnitude.tolist() == [0 + 1 + 2, (0 + 10) + (1 + 10) + (2 + 10)]
    assert n.g_total.magnitude.tolist() == [0 + 100 + 200, 1 + 101 + 201]


def test_synaptic_values_read_synapse_counts_like_brian2():
    # Brian2's S.w = 'w0/N_incoming' normalises the input of each neuron; N_incoming, N_outgoing and the
    # group sizes were undefined symbols here
    model = sz.SynapseModel("normalised", "w : 1", {"n_in": sz.Parameter(1.0, "synapses onto the target")},
                            on_pre="ge += w/n_in")
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("n", RELAY, 2)
    net.add_source("in", sz.stimulus("spike_generator", times=[1, 1, 1] * u.ms, indices=[0, 1, 2], size=3))
    projection = net.connect("in", "n", synapse=model, weight="N_pre + 0.5*N_outgoing",
                             parameters={"n_in": "N_incoming"}, condition="i <= j + 1")
    assert projection.plastic.values["n_in"].tolist() == [2, 3, 2, 3, 3]  # pairs (0,0) (0,1) (1,0) (1,1) (2,1)
    assert projection.plastic.values["w"].tolist() == [4, 4, 4, 4, 3.5]
    net.run(2 * u.ms)
    assert net.population("n").ge.magnitude.tolist() == [4 / 2 + 4 / 2, 4 / 3 + 4 / 3 + 3.5 / 3]


def test_memory_per_plastic_synapse():
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("n", "lif_song", 100)
    net.add_source("in", sz.stimulus("poisson_group", size=100, rate=15 * u.Hz))
    net.connect("in", "n", synapse="stdp", weight=0.005, p=0.5, name="S")
    net.run(1 * u.ms)
    assert net.projections["S"].bytes_per_synapse() <= 24


@pytest.mark.parametrize("connect, fragment", [
    ({"on": "ge", "synapse": "stdp", "weight": 0.1}, "give either on (what a spike does) or synapse"),
    ({"synapse": "stdpp"}, "unknown synapse 'stdpp'; did you mean 'stdp'?"),
    ({"synapse": "stdp", "parameters": {"tau_pre": "10 ms"}}, "unknown parameter of projection 'S'"),
    ({"synapse": "stdp", "parameters": {"taupre": "10 mV"}}, "taupre"),
    ({"synapse": GAINED, "parameters": {"gain": -0.5}}, "parameter 'gain': must be >= 0 (a dimensionless quantity)"),
    ({"synapse": "vogels_istdp"}, "writes 'gi_post', but the postsynaptic model 'lif_song' has no variable 'gi'"),
    ({"synapse": "nmda_saturating"}, "does not declare 'g_nmda'"),
    ({"on": "ge", "weight": 0.1, "post_delay": "1 ms"}, "need a synapse model"),
    # a per-synapse value in the wrong table (Brian2 declares per-synapse constants as variables, 'tau : second')
    ({"synapse": "stdp", "parameters": {"Apre": 0.1}},
     "parameters= gives 'Apre', which synapse model 'stdp' declares as a state variable; give it in initial="),
    ({"synapse": "stdp", "initial": {"taupre": "10 ms"}},
     "initial= gives 'taupre', which synapse model 'stdp' declares as a parameter; give it in parameters="),
    # Brian2's S.w = 'v_pre/mV' (neuron variables are not available to weight expressions): the names it may use
    ({"synapse": "stdp", "weight": "v_pre/mV"},
     "weight: undefined symbol 'v_pre' in 'v_pre/mV' (it may use N_incoming, N_outgoing, N_post, N_pre, dt, i, j, t, "
     "units and numbers)"),
    ({"synapse": "stdp", "weight": "0.001*i*mV"},  # the expected unit was left blank for a dimensionless w
     "weight: '0.001*i*mV' is in mV [voltage] but the weight is in dimensionless"),
])
def test_bad_projections_fail_when_connecting(connect, fragment):
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("n", "lif_song", 1)
    net.add_source("in", sz.stimulus("poisson_group", size=3, rate=15 * u.Hz))
    with pytest.raises(sz.SnnzooError) as err:
        net.connect("in", "n", all_to_all=True, name="S", **connect)
    assert fragment in str(err.value) and "\n" not in str(err.value)
    assert "S" not in net.projections


def test_synapse_checks_can_fail_and_name_what_is_wrong():
    from snnzoo.catalog.experiment import Experiment

    experiment = Experiment.load("stp-tsodyks-markram")
    tree = experiment.run()
    spec = experiment.spec
    spec["expected"] = [
        {"check": "synapse_value", "projection": "D", "monitor": "D_ux", "variable": "x", "time": "110 ms",
         "value": 0.4, "rel_tolerance": 1e-12},
        {"check": "synapse_value", "projection": "D", "monitor": "D_ux", "variable": "x", "time": "110 ms",
         "value": 0.6, "rel_tolerance": 1e-3},
        {"check": "synapse_value", "projection": "F", "value": "40 nS", "rel_tolerance": 1e-12},
        {"check": "synapse_fraction", "projection": "F", "variable": "x", "low": 0.5, "high": 1, "value": 1},
        {"check": "synapse_fraction", "projection": "F", "variable": "x", "low": 0, "high": 0.5, "max": 0},
    ]
    assert [c.passed for c in Experiment("changed", spec).check(tree)] == [True, False, True, True, True]
    for bad, fragment in (({"projection": "Q"}, "unknown projection 'Q'"),
                          ({"projection": "D", "variable": "y"}, "'y' is not stored for projection 'D'"),
                          ({"projection": "D", "monitor": "nope", "time": "1 ms"}, "has no synapse monitor 'nope'")):
        spec["expected"] = [{"check": "synapse_value", "value": 1, **bad}]
        with pytest.raises(sz.ConfigError, match=fragment):
            Experiment("broken", spec).check(tree)


def test_a_synapse_monitor_too_large_for_memory_is_refused_before_running():
    net = _pair_network(10)
    net.record_synapses("S", ["w", "Apre", "Apost"])
    with pytest.raises(sz.SimulationError, match="synapse monitor 'S/record0' would need"):
        net.run(10**9 * u.s)
    assert net.step == 0


def test_a_trace_kept_per_presynaptic_neuron_is_advanced_to_each_event():
    # A only changes in on_pre from itself, so it is kept per presynaptic neuron and advanced to each
    # of that neuron's events before on_pre reads it (a summed variable may not read it: it is stale
    # between events, see test_synapse_models.py)
    neuron = sz.NeuronModel("n_sum", "v : 1\ng_tot : 1", threshold="v > 0.5", reset="v = 0")
    synapse = sz.SynapseModel("trace_sum", "w : 1\ndA/dt = -A/(10*ms) : 1 (event-driven)",
                              on_pre="A += 1; g_tot_post += w*A")
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("n", neuron, 1)
    net.add_source("in", sz.stimulus("spike_generator", times=[1, 2, 4] * u.ms, indices=[0, 1, 0], size=2))
    net.connect("in", "n", synapse=synapse, weight=[1, 2], all_to_all=True, name="S")
    net.record("n", "g_tot")
    net.run(6 * u.ms)
    g = net.result()["n"].dataset.g_tot.values[:, 0]
    assert net.projections["S"].plastic.values.keys() >= {"A"}
    after_second = 1.0 * 1.0 + 2.0 * 1.0  # each trace 1 right after its first event
    after_third = after_second + 1.0 * (1.0 * np.exp(-3e-3 / 10e-3) + 1.0)  # input 0's trace advanced 3 ms, then + 1
    assert g[25] == pytest.approx(after_second, rel=1e-12) and g[50] == pytest.approx(after_third, rel=1e-12)


def test_plastic_synapses_continue_when_the_kernel_is_rebuilt_between_runs():
    def network():
        net = sz.Network(dt=0.1 * u.ms, seed=7)
        net.add_population("n", "lif_song", 3)
        net.add_source("in", sz.stimulus("poisson_group", size=200, rate=20 * u.Hz))
        net.connect("in", "n", synapse="stdp", weight=0.006, p=0.5, name="S", delay="1 ms")
        return net

    straight = network()
    straight.run(400 * u.ms)
    rebuilt = network()
    rebuilt.run(200 * u.ms)
    rebuilt.record("n", "v")  # a monitor added between runs makes the next run rebuild the kernel
    rebuilt.run(200 * u.ms)
    np.testing.assert_array_equal(rebuilt.projections["S"].weights().magnitude,
                                  straight.projections["S"].weights().magnitude)
    np.testing.assert_array_equal(rebuilt.projections["S"].plastic.values["Apost"],
                                  straight.projections["S"].plastic.values["Apost"])


def test_gap_junctions_need_no_pathway():
    # Brian2's gap-junction example: only a summed variable, no on_pre (it was "give on_pre (and/or on_post)")
    neuron = sz.NeuronModel("gap_cell", "dv/dt = (v0 - v + Igap)/(10*ms) : 1\nIgap : 1\nv0 : 1")
    gap = sz.SynapseModel("gap", "w : 1\nIgap_post = w*(v_pre - v_post) : 1 (summed)")
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("n", neuron, 3, initial={"v": "i*0.5", "v0": 1})
    net.connect("n", "n", synapse=gap, weight=0.02, all_to_all=True)
    net.record("n", ["v", "Igap"])
    net.run(1 * u.ms)
    data = net.result()["n"].dataset
    v = data.v.values
    # Igap recorded at step n is the sum computed in step n - 1 from that step's v
    expected = 0.02 * (v[:-1].sum(axis=1, keepdims=True) - 3 * v[:-1])
    np.testing.assert_allclose(data.Igap.values[1:], expected, rtol=1e-12, atol=1e-15)
    with pytest.raises(sz.EquationError, match="give on_pre .* or a summed variable"):
        sz.SynapseModel("inert", "w : 1")


def test_a_trace_that_draws_random_numbers_is_drawn_per_synapse():
    # 'A += rand()' only reads A, so A was kept once per presynaptic neuron: its 200 synapses shared one
    # draw; Brian2 draws per synapse (200 different values)
    model = sz.SynapseModel("drawn_trace", "w : 1\ndA/dt = -A/(10*ms) : 1 (event-driven)", on_pre="A += rand(); v += w*A")
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("n", sz.NeuronModel("counter", "v : 1"), 200)
    net.add_source("in", sz.stimulus("spike_generator", times=[1] * u.ms, indices=[0]))
    net.connect("in", "n", synapse=model, weight=1, all_to_all=True, name="S")
    net.run(2 * u.ms)
    drawn = net.result()["projections/S"].dataset.A.values  # as of the synapse's only event: the draw itself
    assert np.unique(drawn).size == 200 and drawn.min() >= 0 and drawn.max() < 1
    assert abs(drawn.mean() - 0.5) < 5 * np.sqrt(1 / 12 / 200)
    np.testing.assert_array_equal(net.population("n").v.magnitude, drawn)


def test_a_summed_variable_into_a_slice_leaves_the_other_neurons_alone():
    # Brian2's Synapses(G, G[:2], 'I_post = ... (summed)'): neurons 2 and 3 keep their I (1.0 and 1.5 nA);
    # every neuron's I was set to 0 at every step. In the slice, a neuron without synapses gets 0.
    neuron = sz.NeuronModel("biased", "dv/dt = (-v + I/nA)/(10*ms) : 1\nI : amp")
    gap = sz.SynapseModel("gap_to_slice", "w : 1\nI_post = w*v_pre*nA : amp (summed)")
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    population = net.add_population("G", neuron, 5, initial={"I": "i*0.5*nA", "v": "i*0.1"})
    net.connect("G", "G[:3]", synapse=gap, weight=0.1, i=[3, 4], j=[0, 1])
    net.connect("G", "G[4:5]", synapse=gap, weight=0.2, i=[1], j=[4])
    net.run(0.1 * u.ms)
    v0 = np.arange(5) * 0.1
    expected = [0.1 * v0[3], 0.1 * v0[4], 0, 1.5, 0.2 * v0[1]]
    np.testing.assert_allclose(population.get("I").to("nA").magnitude, expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("stimulus_first", [True, False])
def test_a_variable_is_not_both_a_stimulus_input_and_a_sum(stimulus_first):
    # the sum replaced the stimulus's 0.5 nA every step, in silence (neuron 1, with no synapse, got I = 0)
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("G", sz.NeuronModel("n_in", "dv/dt = (-v + I*10*Mohm)/(10*ms) : volt\nI : amp"), 2)
    gap = sz.SynapseModel("gap_current", "w : 1\nI_post = w*v_pre/(10*Mohm) : amp (summed)")
    current = sz.stimulus("constant_current", amplitude=0.5 * u.nA)
    if stimulus_first:
        net.add_stimulus(current, "G", "I")
        with pytest.raises(sz.ConfigError) as err:
            net.connect("G", "G", synapse=gap, weight=1, i=[1], j=[0], name="S")
        assert str(err.value) == ("projection 'S': G.I would be both a stimulus's input and the sum of this "
                                  "projection's summed variable, which replaces the input every step; give each its "
                                  "own variable (e.g. 'I = I_stim + I_syn' with both declared)")
        assert "S" not in net.projections
    else:
        net.connect("G", "G", synapse=gap, weight=1, i=[1], j=[0], name="S")
        with pytest.raises(sz.ConfigError, match=r"^stimulus '.*': G.I would be both a stimulus's input and the sum "
                                                 r"of projection 'S''s summed variable"):
            net.add_stimulus(current, "G", "I")
        assert net.stimuli == []

"""Networks: connectivity rules, weights, delays, spike sources, noise, linked variables, determinism,
export of projections and analysis of network results.

Expected values come from the definitions (binomial counts, the step at which a delayed spike must
arrive, the stationary statistics of an Ornstein-Uhlenbeck process), never from earlier runs.
Populations are added before spike sources except in the tests about that order.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import scipy.sparse

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.errors import ConfigError, EquationError, SimulationError, SnnzooError, UnitError, UnknownNameError
from snnzoo.results.tree import open_result, write_netcdf

DT = 1e-4  # s

# a perfect integrator of delivered weights: v only changes through synapses
INTEGRATOR = sz.NeuronModel("test_integrator", "dv/dt = 0/second : 1")
# a population that only holds an input variable (for recording injected currents)
SINK = sz.NeuronModel("test_sink", "I : amp")
# Ornstein-Uhlenbeck process written with white noise xi (Euler-Maruyama)
OU_XI = sz.NeuronModel("test_ou_xi", "dx/dt = -x/tau + sigma*sqrt(2/tau)*xi : 1",
                       {"tau": "10 ms", "sigma": 0.5})
# a linked input integrated by v (v_{n+1} = v_n + dt*I_shared_n / second)
LINKED = sz.NeuronModel("test_linked", "dv/dt = I_shared/second : 1\nI_shared : 1 (linked)")
# a dimensionless input variable, filled by a drive
DRIVEN = sz.NeuronModel("test_driven", "x : 1")


def network(seed=1, **sizes):
    """A network with integrator populations of the given sizes (added in keyword order)."""
    net = sz.Network(dt=DT * u.second, seed=seed)
    for name, size in sizes.items():
        net.add_population(name, INTEGRATOR, size)
    return net


def pairs_of(projection):
    """The synapses as a sorted list of (pre, post)."""
    return sorted(zip(projection.synapses.pre.tolist(), projection.synapses.post.tolist()))


def group(net, name):
    return net.result()[name].to_dataset()


# -- 1. connectivity rules ---------------------------------------------------------------------------------------


def test_p_gives_a_binomial_number_of_single_synapses():
    n_pre, n_post, p = 200, 150, 0.1
    proj = network(G=n_pre, H=n_post).connect("G", "H", on="v", weight=1.0, p=p)
    mean, sd = p * n_pre * n_post, math.sqrt(n_pre * n_post * p * (1 - p))
    assert abs(proj.size - mean) < 4 * sd
    assert len(set(pairs_of(proj))) == proj.size  # at most one synapse per pair
    # in-degrees are Binomial(n_pre, p): mean and variance
    in_degree = np.bincount(proj.synapses.post, minlength=n_post)
    assert in_degree.mean() == pytest.approx(p * n_pre, rel=0.05)
    assert in_degree.var() == pytest.approx(n_pre * p * (1 - p), rel=0.3)
    # every pre and post neuron can be chosen
    assert proj.synapses.pre.min() >= 0 and proj.synapses.pre.max() < n_pre
    assert np.unique(proj.synapses.pre).size > 0.99 * n_pre


def test_p_edge_values_and_autapses():
    net = network(G=50)
    assert net.connect("G", "G", on="v", weight=1.0, p=0.0, name="none").size == 0
    full = net.connect("G", "G", on="v", weight=1.0, p=1.0, name="full")
    assert full.size == 50 * 50
    no_self = net.connect("G", "G", on="v", weight=1.0, p=1.0, autapses=False, name="no_self")
    assert no_self.size == 50 * 49
    random = net.connect("G", "G", on="v", weight=1.0, p=0.3, autapses=False, name="random")
    assert np.all(random.synapses.pre != random.synapses.post)
    mean, sd = 0.3 * 50 * 49, math.sqrt(50 * 49 * 0.3 * 0.7)
    assert abs(random.size - mean) < 4 * sd


def test_p_connects_every_pair_with_probability_p():
    seeds = 300
    counts = np.zeros((3, 4))
    for seed in range(seeds):
        proj = network(seed=seed, G=3, H=4).connect("G", "H", on="v", weight=1.0, p=0.5)
        np.add.at(counts, (proj.synapses.pre, proj.synapses.post), 1)
    # each pair (the first and last included) is chosen in about half of the seeds
    assert np.all(np.abs(counts / seeds - 0.5) < 4 * math.sqrt(0.25 / seeds))


def test_p_as_an_expression_of_i_and_j_like_brian2(monkeypatch):
    # Brian2's connect(p='exp(-abs(i - j)/20)') was refused: "p must be a number in [0, 1], got '...'"
    net = network(G=400, H=300)
    proj = net.connect("G", "H", on="v", weight=1.0, p="exp(-abs(i - j)/20)", name="near")
    i, j = np.meshgrid(np.arange(400), np.arange(300), indexing="ij")
    probability = np.exp(-np.abs(i - j) / 20)
    # each pair independently with its probability: the count is within 5 standard deviations of the sum
    assert abs(proj.size - probability.sum()) < 5 * math.sqrt((probability * (1 - probability)).sum())
    distance = np.abs(proj.synapses.pre.astype(int) - proj.synapses.post.astype(int))
    assert np.count_nonzero(distance == 0) == 300  # probability 1
    for d in (10, 40):
        expected = np.count_nonzero(np.abs(i - j) == d) * math.exp(-d / 20)
        assert abs(np.count_nonzero(distance == d) - expected) < 5 * math.sqrt(expected)
    monkeypatch.setattr(sz.network.connectivity, "BLOCK_SYNAPSES", 1000)  # the same synapses whatever the block size
    again = network(G=400, H=300).connect("G", "H", on="v", weight=1.0, p="exp(-abs(i - j)/20)", name="near")
    assert np.array_equal(again.synapses.indptr, proj.synapses.indptr)
    assert np.array_equal(again.synapses.post, proj.synapses.post)
    both = net.connect("G", "G", on="v", weight=1.0, p="0.5*(i < 100)", condition="i != j", name="both")
    assert both.synapses.pre.max() < 100 and np.all(both.synapses.pre != both.synapses.post)
    assert abs(both.size - 100 * 399 / 2) < 5 * math.sqrt(100 * 399 / 4)
    with pytest.raises(ConfigError, match=re.escape("projection 'bad': p '0.5*i' is 1.5 for i = 3, j = 0; expected "
                                                    "a probability in [0, 1]")):
        net.connect("G", "H", on="v", weight=1.0, p="0.5*i", name="bad")
    with pytest.raises(ConfigError, match=re.escape("p: 'rand()' draws random numbers, which this expression cannot; "
                                                    "p is the probability itself")):
        net.connect("G", "H", on="v", weight=1.0, p="rand()", name="bad")


@pytest.mark.parametrize("p", [1.5, -0.1])
def test_p_outside_unit_interval_names_the_projection(p):
    with pytest.raises(ConfigError, match=r"projection 'recurrent'.*\[0, 1\]"):
        network(G=10).connect("G", "G", on="v", weight=1.0, p=p, name="recurrent")


def test_condition_alone_and_with_p():
    net = network(G=40)
    alone = net.connect("G", "G", on="v", weight=1.0, condition="i != j", name="alone")
    assert pairs_of(alone) == [(i, j) for i in range(40) for j in range(40) if i != j]
    lower = net.connect("G", "G", on="v", weight=1.0, condition="j < i", name="lower")
    assert pairs_of(lower) == [(i, j) for i in range(40) for j in range(i)]
    both = net.connect("G", "G", on="v", weight=1.0, p=0.25, condition="i != j", name="both")
    assert np.all(both.synapses.pre != both.synapses.post)
    mean, sd = 0.25 * 40 * 39, math.sqrt(40 * 39 * 0.25 * 0.75)
    assert abs(both.size - mean) < 4 * sd


def test_a_condition_must_be_true_or_false_and_is_checked_without_pairs():
    # 'i + j' kept every pair where it was not 0 (Brian2 2.9: "Condition 'i+j' is not a boolean condition");
    # with p=0 a condition was never read, so a misspelt one passed
    net = network(G=4)
    with pytest.raises(EquationError, match=r"condition 'i \+ j' is a number, not true or false; expected a comparison"):
        net.connect("G", "G", on="v", weight=1.0, condition="i + j")
    with pytest.raises(EquationError, match="undefined symbol 'k'"):
        net.connect("G", "G", on="v", weight=1.0, p=0.0, condition="k != j")
    with pytest.raises(ConfigError, match="condition: expected a text such as 'i != j', got True"):
        net.connect("G", "G", on="v", weight=1.0, condition=True)
    assert net.connect("G", "G", on="v", weight=1.0, condition="True").size == 16


def test_connections_read_group_sizes_and_synapse_counts_like_brian2():
    # Brian2 2.9 reads N_pre and N_post in a condition, p, weights and delays, and N_incoming and N_outgoing
    # in S.w = '...' once the synapses exist (here "undefined symbol 'N_post'"); i, j, N_pre and N_post are
    # of the whole groups, also for a slice
    net = network(G=10, H=6)
    half = net.connect("G", "H", on="v", weight=1.0, condition="j < N_post/2 and i < N_pre/2", name="half")
    assert pairs_of(half) == [(i, j) for i in range(5) for j in range(3)]
    drawn = net.connect("G", "H", on="v", weight=1.0, p="1.0*(i < N_pre/2)", name="drawn")
    assert pairs_of(drawn) == [(i, j) for i in range(5) for j in range(6)]
    sliced = net.connect("G[2:5]", "H", on="v", weight="i/N_pre + j/N_post", all_to_all=True, name="sliced")
    assert np.allclose(sliced.synapses.weights, [i / 10 + j / 6 for i in range(2, 5) for j in range(6)])
    normalised = net.connect("G", "H", on="v", weight="1.0/N_incoming", delay="N_outgoing*0.1*ms", name="normalised",
                             condition="i <= j")
    assert np.allclose(normalised.synapses.weights, [1 / (j + 1) for i in range(6) for j in range(i, 6)])
    assert normalised.delay_steps.tolist() == [6 - i for i in range(6) for j in range(i, 6)]
    # Brian2: "The connect statement cannot refer to 'N_incoming'"
    with pytest.raises(ConfigError, match=re.escape("condition: 'N_incoming < 3' reads 'N_incoming', a number of "
                                                    "synapses, which this expression decides; it may use i, j, N_pre, "
                                                    "N_post (a weight, delay or synaptic value may read N_incoming)")):
        net.connect("G", "H", on="v", weight=1.0, condition="N_incoming < 3")
    with pytest.raises(ConfigError, match="p: '0.5/N_outgoing' reads 'N_outgoing'"):
        net.connect("G", "H", on="v", weight=1.0, p="0.5/N_outgoing")


def test_fixed_in_degree():
    net = network(G=30, H=12)
    proj = net.connect("G", "H", on="v", weight=1.0, fixed_in_degree=7)
    assert np.array_equal(np.bincount(proj.synapses.post, minlength=12), np.full(12, 7))
    assert len(set(pairs_of(proj))) == proj.size  # drawn without replacement
    recurrent = net.connect("G", "G", on="v", weight=1.0, fixed_in_degree=29, autapses=False, name="rec")
    assert np.array_equal(np.bincount(recurrent.synapses.post, minlength=30), np.full(30, 29))
    assert np.all(recurrent.synapses.pre != recurrent.synapses.post)
    with pytest.raises(ConfigError, match=r"projection 'too_many'.*fixed_in_degree = 31"):
        net.connect("G", "H", on="v", weight=1.0, fixed_in_degree=31, name="too_many")
    with pytest.raises(ConfigError, match="fixed_in_degree = 30"):  # only 29 others without autapses
        net.connect("G", "G", on="v", weight=1.0, fixed_in_degree=30, autapses=False, name="no_room")


def test_fixed_out_degree():
    net = network(G=30, H=12)
    proj = net.connect("G", "H", on="v", weight=1.0, fixed_out_degree=5)
    assert np.array_equal(np.diff(proj.synapses.indptr), np.full(30, 5))
    assert len(set(pairs_of(proj))) == proj.size
    assert set(proj.synapses.post.tolist()) <= set(range(12))
    with pytest.raises(ConfigError, match="fixed_out_degree = 13"):
        net.connect("G", "H", on="v", weight=1.0, fixed_out_degree=13, name="too_many")


def test_one_to_one_and_all_to_all():
    net = network(G=6, H=6, K=4)
    assert pairs_of(net.connect("G", "H", on="v", weight=1.0, one_to_one=True)) == [(i, i) for i in range(6)]
    with pytest.raises(ConfigError, match=r"projection 'G_to_K'.*one_to_one.*6.*4"):
        net.connect("G", "K", on="v", weight=1.0, one_to_one=True)
    assert pairs_of(net.connect("G", "K", on="v", weight=1.0, all_to_all=True, name="dense")) == [
        (i, j) for i in range(6) for j in range(4)]


def test_connectivity_rules_must_be_exactly_one():
    net = network(G=5)
    with pytest.raises(ConfigError, match="exactly one connectivity rule"):
        net.connect("G", "G", on="v", weight=1.0)
    with pytest.raises(ConfigError, match="exactly one connectivity rule"):
        net.connect("G", "G", on="v", weight=1.0, all_to_all=True, one_to_one=True)
    # Brian2's connect(j='i') (and j=[0, 1] without i) said "give exactly one connectivity rule ..., got none"
    for j in ("i", [0, 1]):
        with pytest.raises(ConfigError, match=re.escape("projection 'G_to_G': j needs i, the presynaptic indices (index "
                                                         "arrays i and j of the same length); for Brian2's "
                                                         "connect(j='i') give one_to_one=True")):
            net.connect("G", "G", on="v", weight=1.0, j=j)
    # all_to_all=0 made all 25 synapses, one_to_one="no" 5: any value but None or False was taken as True
    for switch, value in (("all_to_all", 0), ("one_to_one", "no"), ("all_to_all", 1)):
        with pytest.raises(ConfigError, match=f"projection 'G_to_G': {switch} is True or False, got {value!r}"):
            net.connect("G", "G", on="v", weight=1.0, **{switch: value})
    assert net.connect("G", "G", on="v", weight=1.0, one_to_one=np.bool_(True)).size == 5


@pytest.mark.parametrize("as_array", [False, True])
def test_explicit_index_arrays(as_array):
    i, j = [3, 0, 4, 0], [1, 2, 0, 0]
    if as_array:
        i, j = np.array(i), np.array(j)
    net = network(G=5, H=3)
    proj = net.connect("G", "H", on="v", weight=[1.0, 2.0, 3.0, 4.0], i=i, j=j)
    assert pairs_of(proj) == sorted(zip([3, 0, 4, 0], [1, 2, 0, 0]))
    # each weight stays with its synapse after sorting by presynaptic neuron
    dense = proj.matrix().toarray()
    assert dense[3, 1] == 1.0 and dense[0, 2] == 2.0 and dense[4, 0] == 3.0 and dense[0, 0] == 4.0
    with pytest.raises(ConfigError, match="outside"):
        net.connect("G", "H", on="v", weight=1.0, i=[0, 1], j=[0, 3], name="bad_j")
    with pytest.raises(ConfigError, match="same length"):
        net.connect("G", "H", on="v", weight=1.0, i=[0, 1], j=[0], name="bad_length")


def test_sparse_matrix_round_trip():
    matrix = scipy.sparse.random(20, 15, density=0.2, format="csr", random_state=np.random.default_rng(4))
    matrix.data += 0.5  # no zero weights
    net = network(G=20, H=15)
    proj = net.connect("G", "H", on="v", weight=matrix.data, matrix=matrix, name="m")
    back = net.projections["m"].matrix()
    assert scipy.sparse.issparse(back) and back.format == "csr"
    assert back.shape == (20, 15) and back.nnz == matrix.nnz == proj.size
    assert abs(back - matrix).max() == 0
    # a dense 0/1 array works as a structure too; a wrong shape is an error
    eye = net.connect("G", "G", on="v", weight=1.0, matrix=np.eye(20), name="eye")
    assert pairs_of(eye) == [(i, i) for i in range(20)]
    with pytest.raises(ConfigError, match=r"projection 'wrong'.*shape"):
        net.connect("G", "H", on="v", weight=1.0, matrix=scipy.sparse.eye(15, format="csr"), name="wrong")
    # scipy's own errors came out ("scipy.sparse does not support dtype <U1. ..."), and NaN entries made synapses
    expected = "projection 'G_to_G': matrix: expected a scipy.sparse matrix or a 2-D array of numbers, got "
    for matrix, shown in (("x", "'x'"), (np.ones((20, 20, 2)), "an array of shape (20, 20, 2)")):
        with pytest.raises(ConfigError, match=re.escape(expected + shown)):
            net.connect("G", "G", on="v", weight=1.0, matrix=matrix)
    with pytest.raises(ConfigError, match="matrix: its entries mark synapses and must be finite, got NaN"):
        net.connect("G", "G", on="v", weight=1.0, matrix=np.where(np.eye(20) > 0, np.nan, 0.0))


def test_a_slice_gives_each_neuron_once_and_only_where_slices_fit():
    # G[[0, 0, 1]] to G[[2, 2]] made 6 synapses, 4 of them 0 -> 2, and fixed_in_degree from G[[0, 0, 0]] gave
    # every target the same source 3 times; record(G[:2], ...) was a TypeError ("unhashable type")
    net = network(G=5)
    pop = net.population("G")
    with pytest.raises(ConfigError, match=re.escape("G[[0, 0, 1]]: selects neuron 0 more than once; give each "
                                                    "neuron once")):
        net.connect(pop[[0, 0, 1]], pop[[2, 3]], on="v", weight=1.0, all_to_all=True)
    message = "only a whole population fits here, not a slice; give 'G' (a monitor records some neurons with neurons="
    for part in (pop[:2], "G[:2]"):
        with pytest.raises(ConfigError, match=re.escape(message)):
            net.record(part, "v")
    with pytest.raises(UnknownNameError, match=re.escape("unknown population \"['G']\"")):
        net.record(["G"], "v")


def test_a_slice_of_a_slice_and_the_length_of_groups_like_brian2():
    # Brian2's G[2:8][1:3] is G[3:5] and len(G) its size; they were "'PopulationView' object is not subscriptable"
    # and "object of type 'Population' has no len()"
    net = network(G=10)
    pop = net.population("G")
    source = net.add_source("S", sz.stimulus("poisson_group", size=4, rate=5 * u.Hz))
    assert pop[2:8][1:3].indices.tolist() == [3, 4] and pop[2:8][[0, 5]].indices.tolist() == [2, 7]
    assert (len(pop), len(pop[2:8][::2]), len(source), len(source[1:][1:])) == (10, 3, 4, 2)
    pop[2:8][1:3].v = 1.0
    assert pop.v.magnitude.tolist() == [0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    assert net.connect(pop[2:8][:2], pop, on="v", weight=1.0, all_to_all=True).synapses.pre.tolist() == [2] * 10 + [3] * 10
    with pytest.raises(ConfigError, match=re.escape("G[...][6]: index 6 is outside 0..5 (6 neurons); -6..-1 count "
                                                    "from the end")):
        pop[2:8][6]
    with pytest.raises(ConfigError, match=re.escape("G[...][[0, 0]]: selects neuron 2 more than once")):
        pop[2:8][[0, 0]]


def test_slices_restrict_sources_and_targets():
    net = network(G=100)
    e_to_i = net.connect("G[:80]", "G[80:]", on="v", weight=1.0, all_to_all=True, name="e_to_i")
    assert pairs_of(e_to_i) == [(i, j) for i in range(80) for j in range(80, 100)]
    assert e_to_i.matrix().shape == (100, 100)  # indices stay those of the whole population
    pop = net.population("G")
    i_to_e = net.connect(pop[80:], pop[:80], on="v", weight=1.0, p=0.5, name="i_to_e")
    assert i_to_e.synapses.pre.min() >= 80 and i_to_e.synapses.post.max() < 80
    assert abs(i_to_e.size - 0.5 * 20 * 80) < 4 * math.sqrt(20 * 80 * 0.25)
    fixed = net.connect("G[10:20]", "G[:5]", on="v", weight=1.0, fixed_in_degree=10, name="fixed")
    assert sorted(set(fixed.synapses.pre.tolist())) == list(range(10, 20))
    assert np.array_equal(np.bincount(fixed.synapses.post, minlength=100)[:5], np.full(5, 10))


def test_same_seed_same_synapses_different_seed_different():
    def draw(seed):
        net = network(seed=seed, G=60, H=40)
        a = net.connect("G", "H", on="v", weight=1.0, p=0.2)
        b = net.connect("G", "H", on="v", weight=1.0, fixed_in_degree=6, name="b")
        c = net.connect("G", "H", on="v", weight=1.0, fixed_out_degree=6, name="c")
        return [pairs_of(x) for x in (a, b, c)]

    first, again, other = draw(7), draw(7), draw(8)
    assert first == again
    for x, y in zip(first, other):
        assert x != y


def test_autapses_only_concern_a_population_onto_itself():
    proj = network(G=10, H=10).connect("G", "H", on="v", weight=1.0, all_to_all=True, autapses=False)
    assert proj.size == 100


# -- 2. weights ----------------------------------------------------------------------------------------------------


def test_weights_constant_array_and_distributions():
    net = sz.Network(dt=DT * u.second, seed=11)
    net.add_population("E", "lif_cond_exp", 50)
    constant = net.connect("E", "E", on="ge", weight=2 * u.nS, all_to_all=True, name="constant")
    assert np.all(constant.weights().to("nS").magnitude == pytest.approx(2.0))
    assert constant.bytes_per_synapse() < 4.5  # one shared weight: only the target index per synapse
    values = np.linspace(1, 3, 50) * u.nS
    array = net.connect("E", "E", on="gi", weight=values, one_to_one=True, name="array")
    np.testing.assert_allclose(array.matrix().diagonal(), values.to("S").magnitude, rtol=1e-12)
    with pytest.raises(ConfigError, match=r"projection 'short'.*one per synapse"):
        net.connect("E", "E", on="ge", weight=[1, 2] * u.nS, one_to_one=True, name="short")
    normal = net.connect("E", "E", on="ge", weight={"distribution": "normal", "mean": 1 * u.nS, "std": 0.2 * u.nS},
                         all_to_all=True, name="normal")
    w = normal.weights().to("nS").magnitude
    assert w.size == 2500 and np.unique(w).size == 2500
    assert w.mean() == pytest.approx(1.0, abs=4 * 0.2 / 50)
    assert w.std() == pytest.approx(0.2, rel=0.1)
    uniform = net.connect("E", "E", on="ge", weight={"distribution": "uniform", "low": 0.5 * u.nS, "high": 1.5 * u.nS},
                          all_to_all=True, name="uniform")
    w = uniform.weights().to("nS").magnitude
    assert w.min() >= 0.5 and w.max() < 1.5
    assert w.mean() == pytest.approx(1.0, abs=0.03)
    assert w.std() == pytest.approx(1 / math.sqrt(12), rel=0.1)

    again = sz.Network(dt=DT * u.second, seed=11)
    again.add_population("E", "lif_cond_exp", 50)
    for name in ("constant", "array"):  # same projection index -> same random stream
        again.connect("E", "E", on="ge", weight=1 * u.nS, one_to_one=True, name=name)
    repeat = again.connect("E", "E", on="ge", weight={"distribution": "normal", "mean": 1 * u.nS,
                                                      "std": 0.2 * u.nS}, all_to_all=True, name="normal")
    assert np.array_equal(repeat.weights().magnitude, normal.weights().magnitude)
    other = sz.Network(dt=DT * u.second, seed=12)
    other.add_population("E", "lif_cond_exp", 50)
    drawn = other.connect("E", "E", on="ge", weight={"distribution": "normal", "mean": 1 * u.nS,
                                                     "std": 0.2 * u.nS}, all_to_all=True)
    assert not np.array_equal(drawn.weights().magnitude, normal.weights().magnitude)


def test_weights_set_after_connecting_and_between_runs_act_as_in_brian2():
    # Brian2 2.9 (numpy target, dt 0.1 ms): P = SpikeGeneratorGroup(3, [0, 1, 2, 0], [1, 2, 3, 6]*ms);
    # H = NeuronGroup(4, 'v : 1'); S = Synapses(P, H, 'w : 1', on_pre='v += w'); S.connect();
    # S.w = '0.1*(1 + i) + 0.01*j'; run(5*ms) -> v = [0.6, 0.63, 0.66, 0.69];
    # S.w = 'N_incoming*0.001 + 0.5*i*j'; run(5*ms) -> v = [0.603, 0.633, 0.663, 0.693]
    net = network(H=4)
    net.add_source("P", sz.stimulus("spike_generator", times=[1, 2, 3, 6] * u.ms, indices=[0, 1, 2, 0]))
    projection = net.connect("P", "H", on="v", weight=0.0, all_to_all=True, name="S")
    assert projection.get("i").tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]
    assert projection.get("j").tolist() == [0, 1, 2, 3] * 3
    projection.set("w", "0.1*(1 + i) + 0.01*j")
    np.testing.assert_allclose(projection.w.magnitude, [0.1 * (1 + i) + 0.01 * j for i in range(3) for j in range(4)])
    net.run(5 * u.ms)
    np.testing.assert_allclose(net.population("H").v.magnitude, [0.6, 0.63, 0.66, 0.69], rtol=1e-14)
    projection.w = "N_incoming*0.001 + 0.5*i*j"
    net.run(5 * u.ms)
    np.testing.assert_allclose(net.population("H").v.magnitude, [0.603, 0.633, 0.663, 0.693], rtol=1e-14)
    np.testing.assert_allclose(projection.get("w").magnitude, [0.003 + 0.5 * i * j for i in range(3) for j in range(4)])
    assert projection.get("delay").to("ms").magnitude.tolist() == [0.0] * 12
    assert projection.to_dict()["weight"] == "N_incoming*0.001 + 0.5*i*j"


def test_a_distribution_takes_only_its_own_settings():
    # {"distribution": "normal", ..., "min": 0} was drawn without the bound, which was ignored in silence
    net = network(G=3)
    spec = {"distribution": "normal", "mean": 1.0, "std": 0.5, "min": 0.0, "max": 2.0}
    with pytest.raises(ConfigError, match=re.escape("projection 'G_to_G': weight: expected distribution = 'normal' "
                                                    "with mean and std, or 'uniform' with low and high; normal takes "
                                                    "no max, min, got")):
        net.connect("G", "G", on="v", weight=spec, all_to_all=True)


def test_weight_unit_must_fit_the_target_variable():
    net = sz.Network(dt=DT * u.second, seed=1)
    net.add_population("E", "lif_cond_exp", 5)
    with pytest.raises(UnitError, match=r"projection 'onto_current'.*current"):
        net.connect("E", "E", on="I", weight=1 * u.nS, all_to_all=True, name="onto_current")
    with pytest.raises(UnitError, match=r"projection 'plain'"):
        net.connect("E", "E", on="ge", weight=1.0, all_to_all=True, name="plain")
    assert net.connect("E", "E", on="I", weight=5 * u.pA, all_to_all=True, name="fine").size == 25


def test_unknown_target_variable_suggests_the_closest_name():
    net = sz.Network(dt=DT * u.second, seed=1)
    net.add_population("E", "lif_cond_exp", 5)
    with pytest.raises(sz.SnnzooError, match=r"'gee'.*did you mean 'ge'"):
        net.connect("E", "E", on="gee", weight=1 * u.nS, all_to_all=True)


def test_a_spike_source_cannot_be_a_target():
    net = network(G=3)
    net.add_source("S", sz.stimulus("spike_generator", times=[1] * u.ms))
    with pytest.raises(ConfigError, match=r"'S' is a spike source"):
        net.connect("G", "S", on="v", weight=1.0, all_to_all=True)


def test_unknown_source_or_target_name():
    net = network(G=3)
    with pytest.raises(sz.SnnzooError, match="'Gx'.*did you mean 'G'"):
        net.connect("Gx", "G", on="v", weight=1.0, all_to_all=True)


# -- 3. delays and delivery --------------------------------------------------------------------------------------


def expected_trace(n_samples, deliveries):
    """v sampled at the start of each step: a weight w delivered in step n shows from sample n + 1 on."""
    v = np.zeros(n_samples)
    for step, weight in deliveries:
        v[step + 1:] += weight
    return v


def test_constant_and_per_synapse_delays_deliver_at_step_n_plus_d():
    # spikes at steps 10 and 30, and at 1998 so that a delayed delivery crosses the boundary between
    # two kernel calls (chunks of 2000 steps)
    spike_steps = [10, 30, 1998]
    net = network(G=3, H=2)
    net.add_source("sg", sz.stimulus("spike_generator", times=[1.0, 3.0, 199.8] * u.ms, indices=[0, 0, 0]))
    net.connect("sg", "G[:1]", on="v", weight=1.0, delay=0.5 * u.ms, all_to_all=True, name="constant")
    net.connect("sg", "G[1:]", on="v", weight=[2.0, 3.0], delay=[0.2, 0.7] * u.ms, all_to_all=True, name="various")
    # several projections onto one variable add up, "-=" subtracts
    net.connect("sg", "H", on="v", weight=1.0, all_to_all=True, name="plus")
    net.connect("sg", "H", on="v", weight=0.5, delay=0.1 * u.ms, all_to_all=True, name="plus_later")
    net.connect("sg", "H", on="v", weight=0.25, op="-=", all_to_all=True, name="minus")
    net.record("G", "v")
    net.record("H", "v")
    net.run(202 * u.ms)
    assert net.projections["constant"].delay_steps.tolist() == [5]
    assert sorted(net.projections["various"].delay_steps.tolist()) == [2, 7]

    source = group(net, "sg")
    np.testing.assert_allclose(source.spike_time.values, np.array(spike_steps) * DT, rtol=1e-12)
    assert source.spike_count.values.tolist() == [3]
    g = group(net, "G").v.values
    h = group(net, "H").v.values
    assert g.shape == (2020, 3)
    np.testing.assert_array_equal(g[:, 0], expected_trace(2020, [(s + 5, 1.0) for s in spike_steps]))
    np.testing.assert_array_equal(g[:, 1], expected_trace(2020, [(s + 2, 2.0) for s in spike_steps]))
    np.testing.assert_array_equal(g[:, 2], expected_trace(2020, [(s + 7, 3.0) for s in spike_steps]))
    want = expected_trace(2020, [(s, 0.75) for s in spike_steps] + [(s + 1, 0.5) for s in spike_steps])
    for col in range(2):
        np.testing.assert_allclose(h[:, col], want, rtol=0, atol=1e-12)


def test_zero_delay_spike_first_influences_v_in_the_next_step():
    # a LIF-like neuron: the conductance jump lands after the update of the spike step
    model = sz.NeuronModel("test_cond", "dv/dt = g/ms : 1\ndg/dt = 0/ms : 1")
    net = sz.Network(dt=DT * u.second, seed=1)
    net.add_population("N", model, 1)
    net.add_source("sg", sz.stimulus("spike_generator", times=[0.5] * u.ms))
    net.connect("sg", "N", on="g", weight=1.0, all_to_all=True)
    net.record("N", ["v", "g"])
    net.run(1 * u.ms)
    ds = group(net, "N")
    g, v = ds.g.values[:, 0], ds.v.values[:, 0]
    assert g.tolist() == [0.0] * 6 + [1.0] * 4  # delivered in step 5, visible at the start of step 6
    np.testing.assert_allclose(v, [0.0] * 7 + [0.1, 0.2, 0.3], atol=1e-12)  # integrated from step 6 on


def test_delay_not_a_multiple_of_dt_names_the_projection_and_the_nearest_delays():
    net = network(G=4)
    with pytest.raises(ConfigError, match=r"projection 'slow'.*0\.25 ms.*0\.2 ms or 0\.3 ms"):
        net.connect("G", "G", on="v", weight=1.0, delay=0.25 * u.ms, all_to_all=True, name="slow")
    with pytest.raises(ConfigError, match=r"projection 'mixed'.*0\.35 ms"):
        net.connect("G", "G", on="v", weight=1.0, delay=[0.1, 0.35, 0.2, 0.0] * u.ms, one_to_one=True, name="mixed")
    with pytest.raises(UnitError, match="projection 'unitless'"):
        net.connect("G", "G", on="v", weight=1.0, delay=1.0, all_to_all=True, name="unitless")


# -- 4. spike sources ------------------------------------------------------------------------------------------------


def test_spike_generator_emits_at_the_given_times():
    net = network(G=1)
    times = [0.0, 0.3, 0.3, 1.0, 2.5] * u.ms
    net.add_source("sg", sz.stimulus("spike_generator", times=times, indices=[0, 1, 2, 1, 0], size=4))
    net.run(3 * u.ms)
    ds = group(net, "sg")
    got = sorted(zip(np.round(ds.spike_time.values / DT).astype(int).tolist(), ds.spike_neuron.values.tolist()))
    assert got == [(0, 0), (3, 1), (3, 2), (10, 1), (25, 0)]
    assert ds.spike_count.values.tolist() == [2, 2, 1, 0]
    with pytest.raises(ConfigError):
        sz.stimulus("spike_generator", times=[1, 2] * u.ms, indices=[0])
    with pytest.raises(ConfigError, match=r"^spike_generator: indices: index 3 is outside 0\.\.1 \(2 neurons\)$"):
        sz.stimulus("spike_generator", times=[1, 2, 3] * u.ms, indices=[3, -1, 3], size=2)  # it did not say which
    with pytest.raises(ConfigError, match=r"size: expected a whole number, got 2\.5 \(it would be truncated\)"):
        sz.stimulus("spike_generator", times=[1] * u.ms, size=2.5)


def test_two_spikes_of_one_neuron_in_one_step_are_refused():
    """They were merged into one spike; Brian2 refuses them too ("spike more than once during a time step")."""
    net = network(G=1)
    times = [2.0, 1.0, 1.0, 1.04, 1.1] * u.ms  # neuron 0: three spikes in the step at 1 ms (1.1 ms is the next)
    with pytest.raises(ConfigError, match=r"^source 'sg' \(spike_generator\): neuron 0 spikes 3 times in the step at "
                                          r"1 ms \(times 1, 1, 1\.04 ms\); a neuron spikes at most once per step: "
                                          r"dt = 0\.1 ms is too coarse, or remove the duplicates$"):
        net.add_source("sg", sz.stimulus("spike_generator", times=times, indices=[0, 0, 0, 0, 0]))
    assert "sg" not in net.groups
    net.add_source("sg", sz.stimulus("spike_generator", times=[1.0, 1.0, 1.1] * u.ms, indices=[0, 1, 0]))


def test_spike_times_between_steps_are_emitted_in_the_step_containing_them():
    """Brian2's SpikeGeneratorGroup rule (its spike monitor gives 1.1, 1.2, 1.3, 1.4 ms for these):
    np.round's halves to even gave 1.2, 1.2, 1.4, 1.4 ms. A time within 1e-3 dt below a step is on it."""
    net = network(G=1)
    times = [1.15, 1.25, 1.35, 1.45, 0.3, 0.49999] * u.ms
    net.add_source("sg", sz.stimulus("spike_generator", times=times, indices=[0, 1, 2, 3, 4, 5]))
    net.run(2 * u.ms)
    ds = group(net, "sg")
    steps = np.round(ds.spike_time.values / DT).astype(int)
    assert dict(zip(ds.spike_neuron.values.tolist(), steps.tolist())) == {0: 11, 1: 12, 2: 13, 3: 14, 4: 3, 5: 5}


def test_poisson_groups_constant_and_time_varying_rate():
    net = sz.Network(dt=DT * u.second, seed=21)
    net.add_population("E", "lif_cond_exp", 50)
    net.add_source("P", sz.stimulus("poisson_group", size=100, rate=20 * u.Hz))
    net.add_source("R", sz.stimulus("poisson_group", size=100, rate=np.linspace(0, 40, 100) * u.Hz))
    net.add_source("late", sz.stimulus("poisson_group", size=20, rate="r0*int(t > 0.5*second)",
                                       parameters={"r0": 100 * u.Hz}))
    net.add_source("ramp", sz.stimulus("poisson_group", size=20, rate=lambda t, i: 200.0 * t + 0 * i))
    net.add_stimulus(sz.stimulus("poisson_layer", rate=10 * u.Hz, N=200, p=0.1, weight=1 * u.nS), "E", "ge")
    net.record("E", "ge", neurons=[0])
    net.run(1 * u.second)

    # the Poisson layer added a source and a projection with ~p*N inputs per target
    assert "E_ge_poisson" in net.sources and net.sources["E_ge_poisson"].size == 200
    layer = net.projections["E_ge_poisson_synapses"]
    assert layer.synapses.post.max() < 50 and layer.synapses.pre.max() < 200
    assert abs(layer.size - 0.1 * 200 * 50) < 4 * math.sqrt(200 * 50 * 0.1 * 0.9)
    assert np.bincount(layer.synapses.post, minlength=50).mean() == pytest.approx(20, rel=0.1)
    assert group(net, "E").ge.values.max() > 0

    tree = net.result()
    count = tree["P"].to_dataset().spike_time.size
    assert abs(count - 2000) < 4 * math.sqrt(2000)
    counts = tree["R"].to_dataset().spike_count.values
    assert counts[0] == 0
    assert counts[50:].sum() > 2 * counts[:50].sum()  # rates per neuron are honoured
    assert abs(counts.sum() - 2000) < 4 * math.sqrt(2000)
    late = tree["late"].to_dataset().spike_time.values
    assert late.min() > 0.5 - 1e-12
    assert abs(late.size - 1000) < 4 * math.sqrt(1000)
    ramp = tree["ramp"].to_dataset().spike_time.values  # rate 200 Hz/s * t: expected 20*100 spikes
    assert abs(ramp.size - 2000) < 4 * math.sqrt(2000)
    assert (ramp > 0.5).sum() > 2.5 * (ramp <= 0.5).sum()  # 3/4 of the spikes in the second half


def test_poisson_counts_are_whole_numbers():
    """size = True was a group of one neuron and 2.0 was refused (spike_generator takes 2.0, as every count
    does); poisson_layer's N = 0 was blamed on "poisson_group: size"."""
    with pytest.raises(ConfigError, match=r"^poisson_group: size: expected a whole number, got True$"):
        sz.stimulus("poisson_group", size=True, rate=5 * u.Hz)
    assert sz.stimulus("poisson_group", size=2.0, rate=5 * u.Hz).source().size == 2
    with pytest.raises(ConfigError, match=r"^poisson_layer: N: expected a whole number >= 1, got 0$"):
        sz.stimulus("poisson_layer", rate=5 * u.Hz, N=0, p=0.5, weight=1 * u.mV)


@pytest.mark.parametrize("p, message", [
    ("half", "p: undefined symbol 'half' in 'half' (it may use N_post, N_pre, i, j, units and numbers)"),
    (True, "p must be a number in [0, 1] or an expression of i and j, got True")])
def test_poisson_layer_p_is_checked_as_connect_checks_it(p, message):
    """p = "half" was float()'s ValueError reported as a bug of the plugin; p = True was taken as 1."""
    net = network(G=3)
    with pytest.raises(SnnzooError, match="^" + re.escape(f"projection 'G_v_poisson_synapses': {message}") + "$"):
        net.add_stimulus(sz.stimulus("poisson_layer", rate=5 * u.Hz, N=3, p=p, weight=1.0), "G", "v")


def test_a_poisson_layer_refused_by_connect_adds_nothing():
    """Its source stayed in the network: adding the layer again with p = 0.5 said "the name
    'G_v_poisson' is taken"."""
    net = network(G=3)
    with pytest.raises(ConfigError, match=r"^projection 'G_v_poisson_synapses': p must be a number in \[0, 1\]"):
        net.add_stimulus(sz.stimulus("poisson_layer", rate=5 * u.Hz, N=3, p=1.5, weight=1.0), "G", "v")
    assert (list(net.groups), net.projections, net.stimuli) == (["G"], {}, [])
    net.add_stimulus(sz.stimulus("poisson_layer", rate=5 * u.Hz, N=3, p=0.5, weight=1.0), "G", "v")
    assert list(net.groups) == ["G", "G_v_poisson"] and list(net.projections) == ["G_v_poisson_synapses"]


def test_rate_expression_with_a_bare_condition():
    sz.stimulus("poisson_group", size=2, rate="r0*(t > 0.5*second)", parameters={"r0": 100 * u.Hz}).source()


@pytest.mark.parametrize("make, message", [
    (lambda: sz.stimulus("poisson_group", size=3, rate="5 mV").source(),
     "poisson_group: rate: expected dimension [frequency], got 5 mV of dimension [voltage]"),
    (lambda: sz.stimulus("poisson_group", size=3, rate="[5 6 7] mV").source(),
     "poisson_group: rate: expected dimension [frequency], got [5.0 6.0 7.0] mV of dimension [voltage]"),
    (lambda: sz.stimulus("poisson_group", size=3, rate="5 mV", parameters={"r0": "1 Hz"}).source(),
     "poisson_group: rate: expected dimension [frequency], got 5 mV of dimension [voltage]"),
    (lambda: sz.stimulus("poisson_layer", rate="5 mV", N=3, p=1, weight="1 mV").group.source(),
     "poisson_group: rate: expected dimension [frequency], got 5 mV of dimension [voltage]"),
    (lambda: sz.stimulus("function_current", function="5 mV").drives(3, u.nA),
     "function_current: function: expected dimension [current], got 5 mV of dimension [voltage]"),
    (lambda: sz.stimulus("function_current", function="[1 2 3] nA").drives(3, u.nA),
     "function_current: function: expected a single value (e.g. '1 nA'), got an array of 3"),
])
def test_a_stimulus_quantity_of_the_wrong_dimension_is_named(make, message):
    """A rate or function given as a quantity text of the wrong dimension was read as an expression:
    "poisson_group: cannot parse '5 mV' (invalid syntax)"."""
    with pytest.raises(SnnzooError, match=f"^{re.escape(message)}$"):
        make()


def test_a_stimulus_quantity_text_is_a_constant():
    assert sz.stimulus("poisson_group", size=3, rate="[5 6 7] Hz").source().rates.tolist() == [5, 6, 7]
    current = sz.stimulus("function_current", function="5 pA").drives(2, u.nA)[0].function
    assert current(np.zeros((2, 1)), np.arange(2)).tolist() == [[5e-12, 5e-12], [5e-12, 5e-12]]


def test_poisson_rate_errors():
    net = network(G=1)
    with pytest.raises(UnitError, match="rate"):
        net.add_source("plain", sz.stimulus("poisson_group", size=3, rate=5))
    with pytest.raises(ConfigError, match="'negative'.*>= 0"):
        net.add_source("negative", sz.stimulus("poisson_group", size=3, rate=-5 * u.Hz))
    with pytest.raises(ConfigError, match="exceeds 1/dt"):
        net.add_source("fast", sz.stimulus("poisson_group", size=3, rate=20 * u.kHz))
    with pytest.raises(ConfigError, match="size"):
        sz.stimulus("poisson_group", size=0, rate=5 * u.Hz)
    with pytest.raises(ConfigError, match=re.escape("poisson_group: rate: expected one value or 3 (one per neuron), "
                                                    "got shape (1, 3)")):  # it was flattened
        net.add_source("table", sz.stimulus("poisson_group", size=3, rate=[[5, 10, 20]] * u.Hz))
    net.add_source("negative_later", sz.stimulus("poisson_group", size=3, rate=lambda t, i: 10.0 - 1e4 * t + 0 * i))
    with pytest.raises(SimulationError, match="'negative_later'.*negative"):
        net.run(2 * u.ms)


# -- 5. noise ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def noise_run():
    net = sz.Network(dt=DT * u.second, seed=5)
    for name in ("white", "ou", "shared"):
        net.add_population(name, SINK, 20)
    net.add_population("xi", OU_XI, 50)
    net.add_stimulus(sz.stimulus("noise_current", mean=100 * u.pA, std=20 * u.pA), "white")
    net.add_stimulus(sz.stimulus("ou_current", mean=50 * u.pA, sigma=10 * u.pA, tau=5 * u.ms), "ou")
    net.add_stimulus(sz.stimulus("ou_current", mean=50 * u.pA, sigma=10 * u.pA, tau=5 * u.ms, shared=True), "shared")
    for name in ("white", "ou", "shared"):
        net.record(name, "I")
    net.record("xi", "x")
    net.run(2 * u.second)
    tree = net.result()
    data = {name: tree[name].to_dataset()["I"].values * 1e12 for name in ("white", "ou", "shared")}  # pA
    data["xi"] = tree["xi"].to_dataset()["x"].values
    return data


def autocorrelation(x, lag):
    x = x - x.mean(axis=0)
    return float((x[:-lag] * x[lag:]).sum() / (x * x).sum())


def test_noise_current_mean_and_std(noise_run):
    current = noise_run["white"]
    assert current.shape == (20000, 20)
    assert current.mean() == pytest.approx(100, abs=4 * 20 / math.sqrt(current.size))
    assert current.std() == pytest.approx(20, rel=0.02)
    assert abs(autocorrelation(current, 1)) < 0.02  # fresh every step
    assert abs(np.corrcoef(current[:, 0], current[:, 1])[0, 1]) < 0.05  # independent per neuron


def test_ou_current_stationary_statistics_and_correlation_time(noise_run):
    current = noise_run["ou"][500:]  # after 10 tau
    assert current.mean() == pytest.approx(50, abs=1.0)
    assert current.std() == pytest.approx(10, rel=0.05)
    lag = 50  # steps = tau
    rho = autocorrelation(current, lag)
    assert -lag * DT / math.log(rho) == pytest.approx(5e-3, rel=0.15)
    assert autocorrelation(current, 1) == pytest.approx(math.exp(-DT / 5e-3), abs=0.01)
    assert abs(np.corrcoef(current[:, 0], current[:, 1])[0, 1]) < 0.15  # independent processes


def test_ou_current_shared_is_the_same_for_every_neuron(noise_run):
    shared = noise_run["shared"]
    assert np.array_equal(shared, np.repeat(shared[:, :1], 20, axis=1))
    assert shared[500:, 0].std() == pytest.approx(10, rel=0.25)  # one process: fewer independent samples
    assert not np.array_equal(noise_run["ou"][:, 0], noise_run["ou"][:, 1])


def test_ou_current_starts_from_its_mean():
    """The README's start-up: the variance across neurons at time t is sigma^2 (1 - exp(-2 (t + dt) / tau))."""
    net = sz.Network(dt=DT * u.second, seed=2)
    net.add_population("sink", SINK, 4000)
    net.add_stimulus(sz.stimulus("ou_current", mean=0 * u.nA, sigma=1 * u.nA, tau=5 * u.ms), "sink")
    net.record("sink", "I")
    net.run(3 * u.ms)
    current = net.result()["sink"].to_dataset()["I"].values * 1e9  # nA
    for step in (0, 1, 10, 29):
        expected = 1 - math.exp(-2 * (step + 1) * DT / 5e-3)
        assert current[step].var() == pytest.approx(expected, rel=5 * math.sqrt(2 / 4000))


def test_ou_current_shared_is_true_or_false_with_one_mean_and_one_sigma():
    """shared = "no" was taken as true (the truth of a text); per-neuron sigmas with shared = true were
    numpy's "operands could not be broadcast" from inside the engine."""
    with pytest.raises(ConfigError, match=r"^ou_current: shared: expected true or false, got 'no'$"):
        sz.stimulus("ou_current", mean=50 * u.pA, sigma=10 * u.pA, tau=5 * u.ms, shared="no")
    net = network(G=1)
    net.add_population("sink", SINK, 3)
    shared = sz.stimulus("ou_current", mean=50 * u.pA, sigma=[10, 20, 30] * u.pA, tau=5 * u.ms, shared=True)
    with pytest.raises(ConfigError, match=r"^ou_current: shared = true feeds one process to every neuron, so mean and "
                                          r"sigma are one value each; got 1 mean\(s\) and 3 sigma\(s\)$"):
        net.add_stimulus(shared, "sink")


def test_white_noise_xi_in_equations_gives_the_stationary_variance(noise_run):
    x = noise_run["xi"][1000:]
    a = DT / 10e-3
    variance = 0.5**2 / (1 - a / 2)  # Euler-Maruyama stationary variance of x_{n+1} = (1 - a) x_n + noise
    assert x.var() == pytest.approx(variance, rel=0.06)
    assert abs(x.mean()) < 0.03
    assert autocorrelation(x, 100) == pytest.approx((1 - a) ** 100, abs=0.04)


# -- 6. linked variables ------------------------------------------------------------------------------------------------


def test_linked_variable_reads_the_source_every_step():
    net = sz.Network(dt=DT * u.second, seed=1)
    net.add_population("drive3", DRIVEN, 3)
    net.add_population("drive1", DRIVEN, 1)
    net.add_population("same", LINKED, 3)
    net.add_population("fan", LINKED, 4)
    net.add_stimulus(sz.stimulus("function_current", function=lambda t, i: 1000.0 * t + i), "drive3", "x")
    net.add_stimulus(sz.stimulus("function_current", function=lambda t, i: 2.0 + np.sin(500.0 * t) + 0 * i),
                     "drive1", "x")
    net.link("same", "I_shared", "drive3", "x")
    net.link("fan", "I_shared", "drive1", "x")
    net.record("same", ["v", "I_shared"])
    net.record("fan", ["v", "I_shared"])
    net.run(5 * u.ms)
    t = np.arange(50) * DT
    same, fan = group(net, "same"), group(net, "fan")
    want_same = 1000.0 * t[:, None] + np.arange(3)[None, :]
    want_fan = np.repeat((2.0 + np.sin(500.0 * t))[:, None], 4, axis=1)
    np.testing.assert_allclose(same.I_shared.values, want_same, rtol=1e-12)
    np.testing.assert_allclose(fan.I_shared.values, want_fan, rtol=1e-12)
    # Euler: v_n = dt * sum_{k<n} I_shared_k, so v follows the linked value step by step
    for ds, want in ((same, want_same), (fan, want_fan)):
        integral = DT * np.vstack([np.zeros((1, want.shape[1])), np.cumsum(want, axis=0)[:-1]])
        np.testing.assert_allclose(ds.v.values, integral, rtol=1e-9, atol=1e-15)
    assert net.provenance()["links"] == {"same.I_shared": "drive3.x", "fan.I_shared": "drive1.x"}


def test_a_linked_variable_reads_as_its_source():
    # pop.get of a linked variable (and pop.I_shared) gave zeros, before and after the run, while the run read x
    net = sz.Network(dt=DT * u.second, seed=1)
    net.add_population("drive1", DRIVEN, 1, initial={"x": 2.5})
    fan = net.add_population("fan", LINKED, 3)
    net.link("fan", "I_shared", "drive1", "x")
    assert fan.get("I_shared").magnitude.tolist() == [2.5, 2.5, 2.5]
    net.run(1 * u.ms)
    net.population("drive1").set("x", 4.0)
    assert fan.I_shared.magnitude.tolist() == [4.0, 4.0, 4.0]


def test_link_errors():
    net = sz.Network(dt=DT * u.second, seed=1)
    net.add_population("drive", DRIVEN, 2)
    net.add_population("target", LINKED, 3)
    with pytest.raises(ConfigError, match=r"'v' is not declared '\(linked\)'"):
        net.link("target", "v", "drive", "x")
    with pytest.raises(ConfigError, match="2 neurons; expected 1 or 3"):
        net.link("target", "I_shared", "drive", "x")
    with pytest.raises(sz.SnnzooError, match="'xx'.*did you mean 'x'"):
        net.link("target", "I_shared", "drive", "xx")
    with pytest.raises(ConfigError, match=r"\['I_shared'\] are not linked"):
        net.run(1 * u.ms)


# -- 7. determinism ---------------------------------------------------------------------------------------------------


def full_run(seed):
    net = sz.Network(dt=DT * u.second, seed=seed)
    net.add_population("E", "lif_cond_exp", 40, initial={"v": "Vr + (Vt - Vr)*rand()"})
    net.add_population("X", OU_XI, 5, initial={"x": "0.1*randn()"})
    net.add_source("P", sz.stimulus("poisson_group", size=50, rate=30 * u.Hz))
    net.connect("P", "E", on="ge", weight={"distribution": "uniform", "low": 1 * u.nS, "high": 4 * u.nS}, p=0.3)
    net.connect("E", "E", on="gi", weight=2 * u.nS, p=0.1, autapses=False)
    net.add_stimulus(sz.stimulus("noise_current", mean=150 * u.pA, std=50 * u.pA), "E")
    net.add_stimulus(sz.stimulus("ou_current", mean=0 * u.pA, sigma=30 * u.pA, tau=5 * u.ms), "E")
    initial = (net.population("E").get("v").magnitude.copy(), net.population("X").get("x").magnitude.copy())
    net.record("E", ["v", "ge", "I"], neurons=range(10))
    net.record("X", "x")
    net.run(100 * u.ms)
    tree = net.result()
    return {
        "synapses": [(p.synapses.indptr, p.synapses.post, p.synapses.weights) for p in net.projections.values()],
        "initial": initial,
        "E_spikes": (tree["E"]["spike_time"].values, tree["E"]["spike_neuron"].values),
        "P_spikes": (tree["P"]["spike_time"].values, tree["P"]["spike_neuron"].values),
        "traces": [tree["E"][v].values for v in ("v", "ge", "I")] + [tree["X"]["x"].values],
    }


def test_one_master_seed_reproduces_everything_bit_for_bit():
    first, again, other = full_run(3), full_run(3), full_run(4)
    for key in first:
        for a, b in zip(_flat(first[key]), _flat(again[key])):
            assert np.array_equal(a, b), key
    assert first["E_spikes"][0].size > 0  # the network does something
    v0 = first["initial"][0]
    assert v0.min() >= -0.060 and v0.max() <= -0.050 and np.unique(v0).size == 40
    # a different seed changes each source of randomness
    assert any(not np.array_equal(a, b) for a, b in zip(_flat(first["synapses"]), _flat(other["synapses"])))
    assert not np.array_equal(first["initial"][0], other["initial"][0])
    assert not np.array_equal(first["initial"][1], other["initial"][1])
    assert not np.array_equal(first["P_spikes"][0], other["P_spikes"][0])
    assert not np.array_equal(first["traces"][2], other["traces"][2])  # noise currents
    assert not np.array_equal(first["traces"][3], other["traces"][3])  # xi


def _flat(value):
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _flat(item)]
    return [np.asarray(value)]


# -- initial values and parameters given as expressions -----------------------------------------------------------


def test_an_expression_is_evaluated_after_the_values_it_reads():
    # the model's initial v read I before the I given here was set (v = -70 mV), and a parameter tau = '2*h'
    # given before h read h = 0; '2*h' of a parameter h was 2 hours (pint's unit h)
    model = sz.NeuronModel("reads", "dv/dt = (E_L - v + R*I)/tau : volt\nI : amp",
                           {"E_L": "-70 mV", "R": "100 Mohm", "tau": "10 ms", "h": "1 ms"}, initial={"v": "E_L + R*I"})
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    pop = net.add_population("p", model, 2, initial={"I": [0.1, 0.2] * u.nA}, parameters={"tau": "2*h", "h": "3 ms"})
    np.testing.assert_allclose(pop.get("v").m_as("mV"), [-60.0, -50.0], rtol=1e-12)
    np.testing.assert_allclose(pop.get("tau").m_as("ms"), [6.0, 6.0], rtol=1e-12)
    assert net.add_population("q", model, 1, parameters={"tau": "2 h"}).get("tau").m_as("s") == 7200.0  # a quantity
    with pytest.raises(ConfigError, match=re.escape("population 'c' (model 'reads'): the initial values v -> I -> v "
                                                    "read each other in a circle; give one of them a value")):
        net.add_population("c", model, 1, initial={"I": "v/R"})


# -- 8 and 9. export and analysis on a network result --------------------------------------------------------------


EXPLICIT = {"i": [9, 0, 4, 0, 9], "j": [3, 1, 3, 0, 19], "weight": [1.0, 2.0, 3.0, 4.0, 5.0],
            "delay": [0.0, 0.3, 1.2, 0.1, 0.5]}


@pytest.fixture(scope="module")
def coba_run():
    net = sz.Network(dt=DT * u.second, seed=9)
    net.add_population("E", "lif_cond_exp", 20, initial={"v": "EL + 10*mV*rand()"})
    net.add_source("P", sz.stimulus("poisson_group", size=50, rate=50 * u.Hz))
    net.add_source("Q", sz.stimulus("poisson_group", size=10, rate=20 * u.Hz))
    delays = (np.arange(100) % 4) * 0.1 * u.ms
    net.connect("P", "E", on="ge", weight={"distribution": "normal", "mean": 3 * u.nS, "std": 0.5 * u.nS},
                delay=delays, fixed_in_degree=5, name="exc")
    net.connect("Q", "E", on="gi", weight=10 * u.nS, delay=1 * u.ms, p=0.5, name="inh")
    net.connect("Q", "E", on="ge", weight=EXPLICIT["weight"] * u.nS, delay=EXPLICIT["delay"] * u.ms,
                i=EXPLICIT["i"], j=EXPLICIT["j"], name="explicit")
    net.record("E", ["v", "ge", "gi"], neurons=[0, 1, 2])
    net.run(2 * u.second)
    return net, net.result()


def test_value_expressions_read_the_time_and_the_time_step_like_brian2():
    # Brian2 2.9 (dt 0.1 ms): G.v = 't*mV/ms + i*mV' before a run gives [0, 1] mV, G.v = 'dt*mV/ms' 0.1 mV; after
    # run(1*ms), G.v = 't*mV/ms' gives 1 mV and S.w = 't*mV/ms' 1 mV per synapse. They were "undefined symbol 't'",
    # and "2*dt" read as 2 decitonnes ("expected dimension [time], got 2 dt of dimension [mass]")
    model = sz.NeuronModel("m", "dv/dt = -v/tau : volt", {"tau": "10 ms"})
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    group = net.add_population("G", model, 2, initial={"v": "t*mV/ms + i*mV"}, parameters={"tau": "100*dt"})
    np.testing.assert_allclose(group.v.to("mV").magnitude, [0, 1], rtol=0, atol=1e-15)
    assert group.tau.to("ms").magnitude.tolist() == pytest.approx([10, 10], rel=1e-15)
    assert group.to_dict()["parameters"]["tau"] == "100*dt"
    group.v = "dt*mV/ms"
    np.testing.assert_allclose(group.v.to("mV").magnitude, [0.1, 0.1], rtol=1e-14)
    projection = net.connect("G", "G", on="v", weight="t*mV/ms + 1*mV", delay="2*dt", all_to_all=True, name="S")
    assert projection.delay_steps.tolist() == [2] * 4 and projection.to_dict()["delay"] == "2*dt"
    net.run(1 * u.ms)
    group.v = "t*mV/ms"
    np.testing.assert_allclose(group.v.to("mV").magnitude, [1, 1], rtol=1e-14)
    projection.w = "t*mV/ms"
    np.testing.assert_allclose(projection.w.to("mV").magnitude, [1] * 4, rtol=1e-14)


def test_projections_are_exported_with_units(coba_run, tmp_path):
    net, tree = coba_run
    for name in ("exc", "inh"):
        proj = net.projections[name]
        ds = tree[f"projections/{name}"].to_dataset()
        assert ds.sizes["synapse"] == proj.size
        np.testing.assert_array_equal(ds.pre.values, proj.synapses.pre)
        np.testing.assert_array_equal(ds.post.values, proj.synapses.post)
        np.testing.assert_allclose(ds.weight.values, proj.weights().to("S").magnitude, rtol=1e-15)
        assert ds.weight.attrs["units"] == "S" and ds.delay.attrs["units"] == "s"
        assert ds.attrs["source"] in ("P", "Q") and ds.attrs["target"] == "E"
    exc = tree["projections/exc"].to_dataset()
    assert np.bincount(exc.post.values, minlength=20).tolist() == [5] * 20
    assert sorted(set(np.round(exc.delay.values / DT).astype(int).tolist())) == [0, 1, 2, 3]
    np.testing.assert_allclose(tree["projections/inh"].to_dataset().delay.values, 1e-3, rtol=1e-12)

    # every synapse keeps its own weight and delay through the sort by presynaptic neuron
    explicit = tree["projections/explicit"].to_dataset()
    got = sorted(zip(explicit.pre.values.tolist(), explicit.post.values.tolist(),
                     np.round(explicit.weight.values * 1e9, 9).tolist(), np.round(explicit.delay.values * 1e3, 9).tolist()))
    assert got == sorted(zip(*EXPLICIT.values()))

    back = open_result(write_netcdf(tree, tmp_path / "net.nc"))
    for name in ("exc", "inh", "explicit"):
        before, after = tree[f"projections/{name}"].to_dataset(), back[f"projections/{name}"].to_dataset()
        for var in ("pre", "post", "weight", "delay"):
            np.testing.assert_array_equal(after[var].values, before[var].values)
        assert after.weight.attrs["units"] == "S" and after.delay.attrs["units"] == "s"
    np.testing.assert_array_equal(back["P"].to_dataset().spike_time.values, tree["P"].to_dataset().spike_time.values)


def test_projection_matrix_and_memory(coba_run):
    net, _ = coba_run
    exc = net.projections["exc"]
    matrix = exc.matrix()
    assert isinstance(matrix, scipy.sparse.csr_matrix) or matrix.format == "csr"
    assert matrix.shape == (50, 20) and matrix.nnz == exc.size == 100
    np.testing.assert_allclose(np.asarray(matrix.sum(axis=0)).ravel(),
                               np.bincount(exc.synapses.post, weights=exc.weights().to("S").magnitude, minlength=20))
    for proj in net.projections.values():
        assert 0 < proj.bytes_per_synapse() <= 16


def test_population_rate_and_isi_cv_of_a_poisson_source(coba_run):
    _, tree = coba_run
    source = tree["P"].to_dataset()
    rate = source.snn.population_rate(bin=10 * u.ms, smooth=20 * u.ms)
    assert rate.sizes["time_bin"] == 200 and rate.attrs["units"] == "Hz"
    assert float(rate.mean()) == pytest.approx(50, rel=0.06)  # 5000 spikes expected
    assert float(rate.std()) < 15  # smoothed: no bin far from the rate
    cv = source.snn.isi_cv().values
    assert np.nanmean(cv) == pytest.approx(math.sqrt(1 - 50 * DT), abs=0.06)  # geometric ISIs, CV ~ 1
    assert float(source.snn.mean_rates().mean()) == pytest.approx(50, rel=0.06)


def test_plots_run_on_network_results(coba_run):
    _, tree = coba_run
    source, target = tree["P"].to_dataset(), tree["E"].to_dataset()
    from snnzoo.results.plotting import plot_raster, plot_rates, plot_synaptic_currents

    raster = plot_raster(source)
    assert raster.axes[0].lines[0].get_xdata().size == source.sizes["spike"]
    rates = plot_rates([source, target], bin=20 * u.ms, smooth=40 * u.ms)
    assert len(rates.axes[0].lines) == 2
    currents = plot_synaptic_currents(target, {"ge": 0 * u.mV, "gi": -80 * u.mV}, neuron=1)
    lines = currents.axes[0].lines
    assert [line.get_label() for line in lines] == ["I_ge", "I_gi", "total"]
    assert np.ptp(lines[0].get_ydata()) > 0  # the excitatory current moves


# -- order of groups ------------------------------------------------------------------------------------------------------


def test_monitor_of_a_population_added_after_a_source():
    net = sz.Network(dt=DT * u.second, seed=1)
    net.add_source("sg", sz.stimulus("spike_generator", times=[1] * u.ms))
    net.add_population("G", INTEGRATOR, 2)
    net.connect("sg", "G", on="v", weight=1.0, all_to_all=True)
    net.record("G", "v")
    net.run(3 * u.ms)
    assert group(net, "G").v.values[-1].tolist() == [1.0, 1.0]


def test_not_finite_error_of_a_population_added_after_a_source():
    net = sz.Network(dt=DT * u.second, seed=1)
    net.add_source("sg", sz.stimulus("spike_generator", times=[1] * u.ms))
    net.add_population("B", sz.NeuronModel("test_blowup", "dv/dt = v/ms : 1", initial={"v": 1.0}), 1)
    with pytest.raises(SimulationError, match="population 'B'"):
        net.run(1 * u.second)

"""Connectivity drawn block by block: independence of the block size, fixed in-degree without
replacement and without autapses, the narrow target-index type, and the statistics of the draws.

Expected values come from the rules' definitions (exact degrees, binomial and hypergeometric
moments), never from earlier runs. Networks are small; the block size is made tiny to force many
blocks.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import snnzoo as sz
from snnzoo.network import connectivity
from snnzoo import ureg as u
from snnzoo.errors import ConfigError

PLAIN = sz.NeuronModel("test_plain", "dv/dt = 0/second : 1")
RULES = [{"p": 0.1}, {"p": 0.3, "condition": "j > i"}, {"condition": "(i + j) % 3 == 0"}, {"fixed_in_degree": 17},
         {"fixed_out_degree": 9}, {"all_to_all": True}]


def build(rule, sizes=(300, 200), autapses=True, seed=5, source="A", target="B"):
    net = sz.Network(dt=0.1 * u.ms, seed=seed)
    for name, size in zip("AB", sizes):
        net.add_population(name, PLAIN, size)
    return net, net.connect(source, target, on="v", weight=1.0, autapses=autapses, name="p", **rule)


def csr(projection):
    return projection.synapses.indptr.tolist(), projection.synapses.post.tolist()


@pytest.mark.parametrize("rule", RULES, ids=lambda r: ",".join(r))
def test_the_block_size_does_not_change_the_synapses(rule, monkeypatch):
    _, default = build(rule, autapses=False, source="A", target="A")
    monkeypatch.setattr(connectivity, "BLOCK_SYNAPSES", 7)  # blocks of a neuron or two, rows cut at capacity
    _, tiny = build(rule, autapses=False, source="A", target="A")
    assert default.size > 0 and csr(tiny) == csr(default)


def test_fixed_in_degree_without_replacement_and_without_autapses():
    net = sz.Network(dt=0.1 * u.ms, seed=2)
    net.add_population("G", PLAIN, 500)
    exc = net.connect("G[:400]", "G", on="v", weight=1.0, fixed_in_degree=40, autapses=False, name="exc")
    inh = net.connect("G[400:]", "G", on="v", weight=1.0, fixed_in_degree=99, autapses=False, name="inh")
    for proj, (first, last), k in ((exc, (0, 400), 40), (inh, (400, 500), 99)):
        pre, post = proj.synapses.pre, proj.synapses.post.astype(np.int64)
        assert np.array_equal(np.bincount(post, minlength=500), np.full(500, k))  # exact in-degree
        assert pre.min() >= first and pre.max() < last  # only from the source slice
        assert not np.any(pre == post)  # no autapses
        assert np.unique(pre.astype(np.int64) * 500 + post).size == proj.size  # no pair twice
        # rows sorted by target (the kernel's order), in the narrowest type
        for row in np.split(post, proj.synapses.indptr[1:-1]):
            assert np.all(np.diff(row) > 0)
    # inhibitory neurons have 99 others: all of them, never themselves
    assert all(set(inh.synapses.pre[inh.synapses.post == j]) == set(range(400, 500)) - {j} for j in range(400, 500))


def test_in_degree_larger_than_the_sources_is_refused():
    net = sz.Network(dt=0.1 * u.ms, seed=2)
    net.add_population("G", PLAIN, 50)
    net.add_population("H", PLAIN, 10)
    with pytest.raises(ConfigError, match=r"projection 'big'.*fixed_in_degree = 50.*50 candidate.*no autapses.*0\.\.49"):
        net.connect("G", "G", on="v", weight=1.0, fixed_in_degree=50, autapses=False, name="big")
    with pytest.raises(ConfigError, match=r"fixed_in_degree = 51 .*expected 0\.\.50"):
        net.connect("G", "H", on="v", weight=1.0, fixed_in_degree=51, autapses=False, name="bigger")
    with pytest.raises(ConfigError, match=r"projection .negative.: fixed_in_degree: expected a whole number >= 0, got -1"):
        net.connect("G", "H", on="v", weight=1.0, fixed_in_degree=-1, name="negative")
    with pytest.raises(ConfigError, match=r"fixed_in_degree"):
        net.connect("G", "H", on="v", weight=1.0, fixed_in_degree=2.5, name="fraction")
    # between two groups there are no autapses to leave out: all 50 sources are available
    full = net.connect("G", "H", on="v", weight=1.0, fixed_in_degree=50, autapses=False, name="all")
    assert full.size == 500


def test_fixed_in_degree_from_an_experiment_file(tmp_path):
    from snnzoo.catalog.experiment import Experiment

    text = """
title = "fixed in-degree"
description = "400 excitatory-like sources onto all, 30 inputs each"
dt = "0.1 ms"
duration = "1 ms"
seed = 3

[models.plain]
equations = "dv/dt = 0/second : 1"

[populations.G]
model = "plain"
size = 120

[projections.exc]
source = "G[:100]"
target = "G"
on = "v"
weight = 1.0
fixed_in_degree = 30
autapses = false
"""
    path = tmp_path / "in-degree.toml"
    path.write_text(text)
    net = Experiment.load(str(path)).build()
    proj = next(iter(net.projections.values()))
    post = proj.synapses.post.astype(np.int64)
    assert np.array_equal(np.bincount(post, minlength=120), np.full(120, 30))
    assert not np.any(proj.synapses.pre == post)


@pytest.mark.parametrize("size, dtype", [(65_536, np.uint16), (65_537, np.int32)])
def test_target_indices_use_the_narrowest_type(size, dtype):
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("G", PLAIN, size)
    proj = net.connect("G[:10]", "G", on="v", weight=1.0, fixed_out_degree=3)
    assert proj.synapses.post.dtype == dtype
    net.build()
    kernel_targets = [a for name, a in net._simulation.arrays.items() if name.startswith("R") and name.endswith("J")]
    assert [a.dtype for a in kernel_targets] == [dtype]


def test_narrow_indices_deliver_to_the_right_neurons():
    """A spike of neuron 0 reaches exactly its targets, the highest index included."""
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("G", sz.NeuronModel("test_once", "dv/dt = 0/second : 1", threshold="v > 0.5",
                                           reset="v = -1000"), 65_536, initial={"v": np.r_[1.0, np.zeros(65_535)]})
    net.connect("G[:1]", "G", on="v", weight=0.25, i=[0, 0, 0], j=[65_535, 7, 40_000])
    net.run(0.2 * u.ms)
    v = net.population("G").get("v").magnitude
    assert v[65_535] == v[7] == v[40_000] == 0.25
    assert np.count_nonzero(v[1:]) == 3


def test_drawn_connectivity_has_the_rules_statistics():
    n_pre, n_post, p = 400, 300, 0.05
    _, bern = build({"p": p}, sizes=(n_pre, n_post))
    mean, sd = n_pre * n_post * p, math.sqrt(n_pre * n_post * p * (1 - p))
    assert abs(bern.size - mean) < 4 * sd
    out = np.diff(bern.synapses.indptr)[:n_pre]
    assert abs(out.var() - n_post * p * (1 - p)) < 0.25 * n_post * p * (1 - p)  # binomial out-degrees
    # fixed in-degree: each source is picked with probability k/n_pre by each target
    k = 40
    _, fixed = build({"fixed_in_degree": k}, sizes=(n_pre, n_post))
    out = np.diff(fixed.synapses.indptr)[:n_pre]
    q = k / n_pre
    assert abs(out.mean() - n_post * q) < 1e-12
    assert abs(out.var() - n_post * q * (1 - q)) < 0.25 * n_post * q * (1 - q)
    # every source about equally often over many targets (chi-square against uniform, 399 degrees of freedom)
    chi2 = ((out - n_post * q) ** 2 / (n_post * q)).sum() / (1 - q)
    assert chi2 < 399 + 5 * math.sqrt(2 * 399)


def test_per_synapse_values_follow_the_synapse_order():
    """An expression of i and j is evaluated on each synapse's own indices."""
    net, proj = build({"fixed_in_degree": 5}, sizes=(40, 30))
    net.connect("A", "B", on="v", weight="i + 1000*j", fixed_in_degree=5, name="expr")
    expr = net.projections["expr"]
    assert np.array_equal(expr.synapses.weights, expr.synapses.pre + 1000.0 * expr.synapses.post)

"""A group's own attributes are read-only once it is made: ``G.size = 3`` replaced the attribute in silence
(the neurons, synapses and kernel stayed as made), as did ``S.source = ...`` and ``src.size = ...``, while
``G.v = ...`` and ``S.w = ...`` set values (Brian2 refuses ``G.N = 3`` too)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.errors import ConfigError, UnknownNameError


def _network() -> sz.Network:
    net = sz.Network(seed=1)
    model = sz.NeuronModel("m", "dv/dt = -v/tau : 1", {"tau": 10 * u.ms}, threshold="v > 1", reset="v = 0")
    net.add_population("G", model, 3, labels=["a", "b", "c"])
    net.add_source("src", sz.stimulus("poisson_group", size=2, rate=10 * u.Hz))
    net.connect("src", "G", "v", all_to_all=True, weight=0.5, name="S")
    return net


@pytest.mark.parametrize("attribute", ["size", "N", "name", "model", "labels", "integrator", "preset", "values",
                                       "network", "where", "refractoriness", "set", "get", "i", "to_dict"])
def test_a_populations_own_attributes_are_read_only(attribute):
    net = _network()
    G = net.population("G")
    before = getattr(G, attribute)
    with pytest.raises(ConfigError, match=f"^{re.escape(G.where)}: {attribute} is read-only \\(fixed when the "
                                          "population is made by add_population\\)$"):
        setattr(G, attribute, 7)
    after = getattr(G, attribute)
    assert after is before or np.array_equal(after, before)


@pytest.mark.parametrize("attribute", ["indices", "group", "N", "name", "set", "get"])
def test_a_slices_own_attributes_are_read_only(attribute):
    net = _network()
    part = net.population("G")[1:3]
    with pytest.raises(ConfigError, match=re.escape(f"population 'G' (model 'm'): a slice: {attribute} is read-only "
                                                    "(fixed when it is taken; take another, e.g. G[:2])")):
        setattr(part, attribute, [0])
    assert part.indices.tolist() == [1, 2] and part.group is net.population("G") and part.N == 2


@pytest.mark.parametrize("attribute", ["name", "source", "target", "on", "synapses", "rule", "plastic", "size",
                                       "statement", "set"])
def test_a_projections_own_attributes_are_read_only(attribute):
    net = _network()
    S = net.projections["S"]
    before = getattr(S, attribute)
    with pytest.raises(ConfigError, match=re.escape(f"projection 'S': {attribute} is read-only (fixed when the "
                                                    "projection is made by connect)")):
        setattr(S, attribute, 7)
    assert getattr(S, attribute) is before or getattr(S, attribute) == before


@pytest.mark.parametrize("attribute", ["size", "name", "spec", "labels", "where"])
def test_a_sources_own_attributes_are_read_only_and_it_takes_no_new_one(attribute):
    net = _network()
    source = net.groups["src"]
    with pytest.raises(ConfigError, match=re.escape(f"source 'src' (poisson_group): {attribute} is read-only (fixed "
                                                    "when the source is added by add_source)")):
        setattr(source, attribute, 7)
    assert source.size == 2 and source.name == "src"
    with pytest.raises(ConfigError, match=re.escape("source 'src' (poisson_group): a spike source has no parameters "
                                                    "or variables to set ('rates')")):
        source.rates = 20 * u.Hz
    assert "rates" not in vars(source)


def test_values_are_still_set_by_assignment_and_misspelt_names_refused():
    net = _network()
    G, S = net.population("G"), net.projections["S"]
    G.v = 0.5
    G[1:].v = 0.25
    G.tau = 20 * u.ms
    S.w = 0.1
    np.testing.assert_allclose(G.v.magnitude, [0.5, 0.25, 0.25])
    assert G.tau.to("ms").magnitude.tolist() == [20, 20, 20] and S.w.magnitude.tolist() == [0.1] * 6
    with pytest.raises(UnknownNameError, match="unknown parameter or variable of population 'G' .*'vv'"):
        G.vv = 1
    with pytest.raises(ConfigError, match="projection 'S': 'delay' is fixed when the projection is made"):
        S.delay = 1 * u.ms
    net.run(1 * u.ms)
    assert G.size == 3 and G.N == 3 and len(G.v) == 3

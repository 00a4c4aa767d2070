"""An index outside a population, projection or monitor, however large (``10**30``, ``2**63``: beyond int64),
is one line naming the thing, the index and the range (docs/bad-input.md, "names, slices and objects of the
network"); it was numpy's OverflowError, "only integers ... are valid indices" or "expected whole-number
indices"."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.errors import ConfigError
from snnzoo.language.stimulus import SpikeTimes

HUGE = [10**30, -10**30, 2**63, np.uint64(2**64 - 1)]
RELAY = sz.NeuronModel("relay", "v : 1\nge : 1", threshold="v > 0.5", reset="v = 0")


def _network() -> sz.Network:
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("G", RELAY, 5)
    net.add_source("in", sz.stimulus("poisson_group", size=4, rate=20 * u.Hz))
    net.connect("in", "G", synapse="stdp", weight=0.004, all_to_all=True, name="S")
    return net


@pytest.mark.parametrize("index", HUGE, ids=str)
@pytest.mark.parametrize("give, name, outside", [
    (lambda net, k: net.population("G")[k], "G[", "0..4 (5 neurons); -5..-1 count from the end"),
    (lambda net, k: net.population("G")[[0, k]], "G[[0, ", "0..4 (5 neurons); -5..-1 count from the end"),
    (lambda net, k: net.population("G")[1:4][k], "G[...][", "0..2 (3 neurons); -3..-1 count from the end"),
    (lambda net, k: net.record("G", "v", neurons=[0, k]), "record 'G': neurons", "0..4 (5 neurons)"),
    (lambda net, k: net.record_synapses("S", "w", synapses=k), "record_synapses 'S': synapses", "0..19 (20 synapses)"),
    (lambda net, k: net.connect("G", "G", on="v", weight=1.0, i=[0, 1], j=[k, 1]),
     "projection 'G_to_G': index array j", "0..4 (5 neurons)"),
    (lambda net, k: net.population("G").v[k], "population 'G' (model 'relay'): v[",
     "0..4 (5 neurons); -5..-1 count from the end"),
    (lambda net, k: net.population("G").v.__setitem__(k, 0.2), "population 'G' (model 'relay'): v[",
     "0..4 (5 neurons); -5..-1 count from the end"),
    (lambda net, k: net.population("G")[1:4].v[[0, k]], "population 'G' (model 'relay'): G[...].v[[0, ",
     "0..2 (3 neurons of the slice); -3..-1 count from the end"),
    (lambda net, k: net.population("G").v[1:4][k], "population 'G' (model 'relay'): v[1:4][",
     "0..2 (3 neurons); -3..-1 count from the end"),
    (lambda net, k: net.population("G").set("v", 0.2, neurons=[0, k]), "population 'G' (model 'relay'): set 'v': "
     "neurons", "0..4 (5 neurons); -5..-1 count from the end"),
    (lambda net, k: net.projections["S"].w[k], "projection 'S': w[", "0..19 (20 synapses); -20..-1 count from the end"),
    (lambda net, k: net.projections["S"].w.__setitem__(k, 0.001), "projection 'S': w[",
     "0..19 (20 synapses); -20..-1 count from the end"),
], ids=["population", "list", "slice of a slice", "monitor", "synapse monitor", "connect", "values read",
        "values assigned", "values of a slice", "part of the values", "set of some neurons", "synaptic values read",
        "synaptic values assigned"])
def test_an_index_outside_names_the_thing_the_index_and_the_range(index, give, name, outside):
    with pytest.raises(ConfigError) as caught:
        give(_network(), index)
    message = str(caught.value)
    assert message.startswith(name) and message.endswith(f": index {int(index)} is outside {outside}"), message


@pytest.mark.parametrize("key, reason", [
    (1.5, "expected whole-number indices, got 1.5 (an index is never rounded)"),
    ([True, False], "boolean index did not match indexed array along axis 0; size of axis is 5 but size of "
                    "corresponding boolean axis is 2"),
    ((0, 1), "too many indices for array: array is 1-dimensional, but 2 were indexed"),
    ("i > 2", "an index is a position, a slice or a list of them, not a condition"),
], ids=["not whole", "mask of the wrong length", "two dimensions", "condition"])
def test_an_item_of_the_values_that_is_no_index_is_named_with_them(key, reason):
    # numpy's IndexError, unnamed; a condition was refused only when assigned
    group = _network().population("G")
    for reach in (lambda: group.v[key], lambda: group.v.__setitem__(key, 0.2)):
        with pytest.raises(ConfigError, match=re.escape(f"population 'G' (model 'relay'): v[{key!r}]: {reason}")):
            reach()
    assert group.v.magnitude.tolist() == [0.0] * 5


@pytest.mark.parametrize("index", [10**30, -1, 3], ids=str)
def test_a_spike_generator_index_outside_names_the_range(index):
    # "beyond what an index can be" for 10**30, without a range; an index outside the size given was found
    # only when the generator was added to a network
    with pytest.raises(ConfigError, match=rf"^spike_generator: indices: index {index} is outside 0\.\.2 \(3 neurons\)$"):
        sz.stimulus("spike_generator", times=[1, 2] * u.ms, indices=[0, index], size=3)
    without_size = "0..9223372036854775806 (9223372036854775807 neurons at most; without size=, the generator has one " \
                   "more than its largest index)"
    if index != 3:
        with pytest.raises(ConfigError, match=re.escape(f"spike_generator: indices: index {index} is outside "
                                                        f"{without_size}")):
            sz.stimulus("spike_generator", times=[1, 2] * u.ms, indices=[0, index])


class _SpikesAt:
    """A spike source plugin whose spikes name the neuron ``index`` of its 3."""

    name = "spikes_at"

    def __init__(self, index: int):
        self.index = index

    def source(self) -> SpikeTimes:
        return SpikeTimes(3, np.array([0.001]), np.array([self.index], dtype=object))

    def to_dict(self) -> dict:
        return {"type": self.name}


@pytest.mark.parametrize("index", HUGE + [3, -1], ids=str)
def test_a_spike_source_index_outside_names_the_source_and_the_range(index):
    # 10**30 was numpy's OverflowError, an internal error, from any plugin's SpikeTimes
    with pytest.raises(ConfigError, match=rf"^source 'src' \(spikes_at\): spike indices: index {int(index)} is "
                                          r"outside 0\.\.2 \(3 neurons\)$"):
        _network().add_source("src", _SpikesAt(index))


def test_an_experiment_file_index_outside_is_one_line(tmp_path):
    for neurons, shown in (("[0, 1000000000000000000000000000000]", "1000000000000000000000000000000"),
                           ("[9223372036854775808]", "9223372036854775808"), ("[-1]", "-1")):
        (tmp_path / "e.toml").write_text(f'dt = "0.1 ms"\nduration = "1 ms"\n[populations.G]\nmodel = "lif"\n'
                                         f'size = 3\n[monitors.m]\npopulation = "G"\nvariables = ["v"]\n'
                                         f'neurons = {neurons}\n')
        done = subprocess.run([sys.executable, "-m", "snnzoo.cli", "run", "e.toml", "-q"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 2 and done.stderr == (
            f"snnzoo: error: experiment file e.toml: [monitors.m]: neurons: index {shown} is outside 0..2\n")


def test_an_index_beyond_any_is_refused_where_no_size_is_known():
    from snnzoo.units import whole_numbers

    with pytest.raises(ConfigError, match=r"^w: index 1000000000000000000000000000000 is beyond what an index can "
                                          r"be \(a 64-bit integer, -2\*\*63\.\.2\*\*63 - 1\)$"):
        whole_numbers([0, 10**30], what="w")
    assert whole_numbers([2**62, 1], what="w").tolist() == [2**62, 1]  # exact: numpy's float64 would round


@pytest.mark.parametrize("j", [[0, 5], [0, 1]])
def test_an_index_outside_a_slice_names_the_slice_range(j):
    """Onto E[2:] of 4 neurons, j = [0, 5] said "outside 0..3", as if 0 were allowed (j = [0, 1]: 2..3)."""
    net = sz.Network()
    group = net.add_population("E", RELAY, 4)
    with pytest.raises(ConfigError, match=re.escape("projection 'S': index array j: index 0 is outside 2..3 "
                                                    "(2 neurons)")):
        net.connect("E", group[2:], on="v", weight=1.0, i=[0, 1], j=j, name="S")

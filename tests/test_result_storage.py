"""Projection storage in result files, and checks that pick neurons by index."""

import numpy as np
import pytest

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.catalog import Experiment
from snnzoo.results import open_result, write_netcdf


def _network():
    net = sz.Network(dt=0.1 * u.ms, seed=3)
    net.add_population("G", "lif_cond_exp", 50)
    net.add_source("P", sz.stimulus("poisson_group", size=20, rate=20 * u.Hz))
    net.connect("P", "G", on="ge", weight=2 * u.nS, p=0.3, name="constant")
    net.connect("P", "G", on="ge", weight={"distribution": "uniform", "low": "1 nS", "high": "3 nS"},
                p=0.3, delay=1 * u.ms, name="drawn")
    net.run(20 * u.ms)
    return net


def test_shared_weights_are_stored_once_and_per_synapse_ones_in_full(tmp_path):
    net = _network()
    path = write_netcdf(net.result(), tmp_path / "r.nc")
    tree = open_result(path)
    constant, drawn = tree["projections/constant"].dataset, tree["projections/drawn"].dataset
    assert constant["weight"].ndim == 0 and float(constant["weight"]) == pytest.approx(2e-9)
    assert constant["weight"].attrs["units"] == "S"
    assert drawn["weight"].dims == ("synapse",) and drawn.sizes["synapse"] == net.projections["drawn"].size
    assert np.array_equal(drawn["weight"].values, net.projections["drawn"].weights().magnitude)
    assert float(drawn["delay"]) == pytest.approx(1e-3)
    assert np.array_equal(constant["post"].values, net.projections["constant"].synapses.post)


def test_checks_select_recorded_neurons_by_index_and_ranges(tmp_path):
    spec = {
        "dt": "0.1 ms", "duration": "20 ms", "seed": 1,
        "populations": {"p": {"model": "lif", "size": 5}},
        "stimuli": {"drive": {"type": "constant_current", "population": "p", "amplitude": "45 pA"}},
        "monitors": {"v": {"population": "p", "variables": ["v"], "neurons": [2, 4]}},
        "expected": [
            {"check": "value_at", "population": "p", "variable": "v", "neuron": 4, "time": "0 ms", "value": "-70 mV",
             "tolerance": "1e-9 V"},
            {"check": "mean_rate", "population": "p", "neurons": "0:2", "min": "0 Hz"},
        ],
    }
    experiment = Experiment("inline", spec)
    checks = experiment.check(experiment.run())
    assert all(c.passed for c in checks), checks
    spec["expected"] = [{"check": "value_at", "population": "p", "variable": "v", "neuron": 3, "time": "0 ms",
                         "value": "-70 mV"}]
    with pytest.raises(sz.ConfigError, match=r"neuron\(s\) \[3\] .* not recorded"):
        Experiment("inline", spec).check(experiment.run())

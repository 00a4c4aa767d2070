"""Projection storage in result files, and checks that pick neurons by index."""

import numpy as np
import pytest
import xarray as xr

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.catalog.experiment import Experiment
from snnzoo.results.tree import open_result, write_netcdf


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


def test_a_weight_given_per_synapse_stays_per_synapse_when_the_values_are_equal():
    net = sz.Network(dt=0.1 * u.ms, seed=3)
    net.add_population("G", "lif_cond_exp", 2)
    net.add_source("P", sz.stimulus("poisson_group", size=3, rate=20 * u.Hz))
    net.connect("P", "G", on="ge", weight=np.full(6, 2.0) * u.nS, delay=np.full(6, 1.0) * u.ms, all_to_all=True,
                name="equal")
    net.run(1 * u.ms)
    equal = net.result()["projections/equal"].dataset
    assert equal["weight"].dims == equal["delay"].dims == ("synapse",) and equal["weight"].values.tolist() == [2e-9] * 6


POST = sz.NeuronModel("post", "dv/dt = -v/tau : 1\ndge/dt = -ge/tau : 1", {"tau": "10 ms"}, threshold="v > 1",
                      reset="v = 0")


def _stdp_network(kick: bool) -> sz.Network:
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_source("pre", sz.stimulus("poisson_group", size=50, rate=200 * u.Hz))
    net.add_population("P", POST, 1)
    if kick:  # a postsynaptic spike at 10 ms: STDP changes every weight
        net.add_source("kick", sz.stimulus("spike_generator", times=[10] * u.ms))
        net.connect("kick", "P", on="v", weight=2, all_to_all=True)
    net.connect("pre", "P", synapse="stdp", weight=0.005, all_to_all=True, name="S")
    net.run(20 * u.ms)
    return net


def test_the_weights_of_a_synapse_model_are_per_synapse_even_when_they_stay_equal():
    unchanged, changed = (_stdp_network(kick).result()["projections/S"].dataset for kick in (False, True))
    assert unchanged["weight"].dims == changed["weight"].dims == unchanged["Apre"].dims == ("synapse",)
    assert unchanged["weight"].values.tolist() == [0.005] * 50 and len(set(changed["weight"].values)) > 1


def test_empty_projections_of_every_kind_give_a_result(tmp_path):
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_source("P", sz.stimulus("poisson_group", size=10, rate=20 * u.Hz))
    net.add_population("G", POST, 3)
    drawn = {"weight": {"distribution": "uniform", "low": 0, "high": 1},
             "delay": {"distribution": "uniform", "low": "1 ms", "high": "2 ms"}, "round_delays": True}
    net.connect("P", "G", on="ge", weight=0.5, p=0.0, name="shared")
    net.connect("P", "G", on="ge", p=0.0, name="drawn", **drawn)
    net.connect("P", "G", on="ge", weight="0.1*i", p=0.0, name="expression")
    net.connect("P", "G", synapse="stdp", weight=0.5, p=0.0, name="plastic")
    net.connect("P", "G", synapse="stdp", p=0.0, name="plastic_drawn", **drawn)
    net.run(5 * u.ms)
    tree = open_result(write_netcdf(net.result(), tmp_path / "empty.nc"))
    dims = {name: {var: node.dataset[var].dims for var in ("pre", "weight", "delay")}
            for name, node in tree["projections"].children.items()}
    per_synapse, one = ("synapse",), ()
    assert dims == {"shared": {"pre": per_synapse, "weight": one, "delay": one},
                    "drawn": {"pre": per_synapse, "weight": per_synapse, "delay": per_synapse},
                    "expression": {"pre": per_synapse, "weight": per_synapse, "delay": one},
                    "plastic": {"pre": per_synapse, "weight": per_synapse, "delay": one},
                    "plastic_drawn": {"pre": per_synapse, "weight": per_synapse, "delay": per_synapse}}
    assert all(node.dataset.sizes["synapse"] == 0 for node in tree["projections"].children.values())


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


def file_layout(content: bytes) -> list:
    """Every group's dimensions and attributes, and every variable's type, dimensions, storage, attributes and
    values, in file order, as netCDF4 reads them."""
    import netCDF4

    layout = []

    def walk(group):
        layout.append((group.path, [(name, len(dim), dim.isunlimited()) for name, dim in group.dimensions.items()],
                       [(name, repr(group.getncattr(name))) for name in group.ncattrs()]))
        for name, var in group.variables.items():
            layout.append((name, str(var.dtype), var.dimensions, var.filters(), var.chunking(),
                           [(key, repr(var.getncattr(key))) for key in var.ncattrs()],
                           repr(var[...].tolist()) if var.size else None))
        for child in group.groups.values():
            walk(child)

    with netCDF4.Dataset("layout", memory=content) as file:
        walk(file)
    return layout


def _xarray_file(tree) -> bytes:
    from snnzoo.results.tree import _encoding

    return bytes(tree.to_netcdf(engine="netcdf4", encoding={node.path: _encoding(node.to_dataset(inherit=False))
                                                           for node in tree.subtree}))


def test_results_are_written_directly_as_the_file_xarray_writes(tmp_path):
    """Spikes (none for one population: an unlimited spike dimension), traces, projections, and a sweep's
    stacked summary with text of several lengths (and not ASCII): the same dimensions, variables, storage and
    attributes."""
    from snnzoo.results import netcdf_writer

    net = sz.Network(dt=0.1 * u.ms, seed=3)
    net.add_population("G", "lif_cond_exp", 5)
    net.add_population("Silent", "lif", 3)
    net.add_source("P", sz.stimulus("poisson_group", size=20, rate=50 * u.Hz))
    net.connect("P", "G", on="ge", weight=20 * u.nS, p=0.5, name="drive")
    net.record("G", ["v"], neurons=[0, 4])
    net.run(20 * u.ms)
    assert net.result()["G"].sizes["spike"] > 0 and net.result()["Silent"].sizes["spike"] == 0
    summary = sz.sweep(Experiment.load("coba-adex-network", ["duration=20 ms"]),
                       {"projections.excitatory.weight": ["1 nS", "2 nS"]}, seeds=1, executor="serial")
    summary["error"] = summary["error"].copy(data=[[""], ["weight: 2 nS is too strong (µ)"]])
    for tree in (net.result(), xr.DataTree(summary)):
        direct = netcdf_writer.netcdf_bytes(tree)
        assert direct is not None
        assert file_layout(direct) == file_layout(_xarray_file(tree))


def test_coordinates_that_are_not_an_index_are_written_directly_as_xarray_writes_them():
    """A population's neuron labels (adex-firing-patterns) went through xarray's writer, which imports dask.
    Labels, numeric and 2-d coordinates named by variables, one no variable has the dimensions of (in the
    group's attribute), and nested groups: the same dimensions, variables, storage and attributes."""
    from snnzoo.results import netcdf_writer

    group = xr.Dataset({"x": (("n", "t"), np.ones((2, 3))), "y": ("t", [1.0, 2.0, 3.0]), "s": ((), 1.0)},
                       coords={"n": [0, 1], "name": ("n", ["a", "b"]), "weight": ("n", [0.5, 1.5]),
                               "grid": (("n", "t"), np.zeros((2, 3))), "free": ("m", [1, 2, 3, 4])},
                       attrs={"title": "t"})
    nested = xr.Dataset({"z": ("n", [3.0, 4.0])}, coords={"label": ("n", ["p", "q"])})
    labelled = Experiment.load("adex-firing-patterns", ["duration=20 ms"]).run(progress=False, checks=False)
    assert "label" in labelled["adex"].coords and "label" not in labelled["adex"].indexes
    for tree in (xr.DataTree.from_dict({"/": xr.Dataset(attrs={"a": 1}), "/g": group, "/g/h": nested}), labelled):
        direct = netcdf_writer.netcdf_bytes(tree)
        assert direct is not None
        assert file_layout(direct) == file_layout(_xarray_file(tree))
    layout = file_layout(netcdf_writer.netcdf_bytes(xr.DataTree(group)))
    attributes = {entry[0]: dict(entry[5]) for entry in layout[1:]}
    assert attributes["x"]["coordinates"] == "'grid name weight'" and "coordinates" not in attributes["y"]
    assert ("coordinates", "'free'") in layout[0][2]


def test_what_the_direct_writer_does_not_encode_is_left_to_xarray(tmp_path):
    """A coordinate xarray writes as a data variable (a space in its name), one the group's own
    ``coordinates`` attribute would hide, and variables read from a file (with their encoding)."""
    from snnzoo.results import netcdf_writer

    for dataset in (xr.Dataset({"x": ("n", [1.0, 2.0])}, coords={"a name": ("n", ["a", "b"])}),
                    xr.Dataset({"x": ("n", [1.0, 2.0])}, coords={"name": ("n", ["a", "b"])},
                               attrs={"coordinates": "other"})):
        assert netcdf_writer.netcdf_bytes(xr.DataTree(dataset)) is None
    back = open_result(write_netcdf(_network().result(), tmp_path / "r.nc"))
    assert netcdf_writer.netcdf_bytes(back) is None
    assert open_result(write_netcdf(back, tmp_path / "again.nc")).identical(back)

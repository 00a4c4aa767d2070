"""Building, writing and reading snnzoo results (no simulator needed)."""

from __future__ import annotations

import json
import re

import netCDF4
import numpy as np
import pint
import pint_xarray  # noqa: F401  (registers the .pint accessor)
import pytest
import xarray as xr

from snnzoo.errors import ConfigError, SnnzooError
from snnzoo.results.recording import PopulationRecord, StateRecord
from snnzoo.results.tree import PROVENANCE_KEY, build_result, open_result, provenance, write_netcdf

ureg = pint.get_application_registry()
TIMES = np.arange(6) * 1e-3

PROVENANCE = {
    "snnzoo_version": "0.1.0",
    "seed": 42,
    "dt": 1e-4,
    "float_noise": True,
    "comment": None,
    "models": {"E": {"name": "adex", "parameters": {"tau_m": "20 ms"}}},
    "plugins": ["snnzoo-adex 0.1", "snnzoo-lif 0.1"],
}


def excitatory() -> PopulationRecord:
    voltage = -0.07 + 0.001 * np.arange(12.0).reshape(6, 2)
    return PopulationRecord(
        name="E",
        size=5,
        spike_times=np.array([0.004, 0.001, 0.001, 0.002]),
        spike_neurons=np.array([2, 4, 0, 2]),
        states=[
            StateRecord(
                "fast", np.array([0, 2]), TIMES, {"v": voltage, "ge": np.full((6, 2), 2e-9)}, {"v": "V", "ge": "S"}
            ),
            StateRecord("slow", np.array([4]), TIMES[::3], {"w": np.array([[1e-12], [2e-12]])}, {"w": "A"}),
        ],
        labels=["a", "b", "c", "d", "e"],
        model="adex",
    )


def inhibitory() -> PopulationRecord:
    return PopulationRecord("I", 3, np.array([0.002]), np.array([1]), model="lif")


@pytest.fixture
def tree() -> xr.DataTree:
    return build_result([excitatory(), inhibitory()], PROVENANCE, duration=0.006)


def test_layout(tree):
    group = tree["E"].to_dataset()
    assert set(tree.children) == {"E", "I"}
    assert group["v"].dims == ("time", "neuron") and group["w_slow"].dims == ("time_slow", "neuron_slow")
    assert group["neuron"].dtype == np.int32 and group["time"].dtype == np.float64
    assert group["time"].attrs == {"units": "s", "long_name": "simulated time"}  # no reference time: no CF time standard_name
    assert group["v"].attrs["units"] == "V" and group["w_slow"].attrs["units"] == "A" and "long_name" in group["v"].attrs
    assert group["label"].values.tolist() == ["a", "c"] and group["label_slow"].values.tolist() == ["e"]
    np.testing.assert_array_equal(group["spike_time"], [0.001, 0.001, 0.002, 0.004])
    np.testing.assert_array_equal(group["spike_neuron"], [0, 4, 2, 2])
    assert group["spike_neuron"].dtype == np.int32
    np.testing.assert_array_equal(group["spike_count"], [1, 0, 2, 0, 1])
    assert group["spike_count"].dtype == np.int64
    assert group.attrs["size"] == 5 and group.attrs["model"] == "adex"
    assert tree["I"].to_dataset()["spike_count"].values.tolist() == [0, 1, 0]


def test_root_attributes_flatten_provenance(tree):
    attrs = tree.attrs
    assert attrs["Conventions"] == "CF-1.8" and attrs["title"]
    assert attrs["seed"] == 42 and attrs["dt"] == 1e-4 and attrs["snnzoo_version"] == "0.1.0"
    assert json.loads(attrs["models"]) == PROVENANCE["models"]
    assert attrs["float_noise"] == "true" and attrs["comment"] == "null"
    assert provenance(tree) == PROVENANCE


def test_round_trip_is_identical(tree, tmp_path):
    path = write_netcdf(tree, tmp_path / "out.nc")
    reopened = open_result(path)
    xr.testing.assert_identical(reopened, tree)
    for name in ("E", "I"):
        for var in tree[name].to_dataset().variables:
            assert reopened[name][var].dtype == tree[name][var].dtype
    assert provenance(reopened) == PROVENANCE
    assert list(tmp_path.iterdir()) == [path]


def test_file_is_plain_netcdf(tree, tmp_path):
    path = write_netcdf(tree, tmp_path / "out.nc")
    with netCDF4.Dataset(path) as nc:
        assert set(nc.groups) == {"E", "I"}
        assert nc.groups["E"].variables["v"].units == "V"
        assert json.loads(nc.getncattr(PROVENANCE_KEY)) == PROVENANCE


def test_groups_quantify_with_pint(tree):
    for name in ("E", "I"):
        quantified = tree[name].to_dataset().pint.quantify()
        assert quantified["spike_time"].data.units == ureg.s
        assert quantified["spike_count"].data.units == ureg.dimensionless
    assert tree["E"].to_dataset().pint.quantify()["ge"].data.units == ureg.S


def test_provenance_values_are_made_storable():
    tree = build_result([inhibitory()], {"tau": 20 * ureg.ms, "weights": np.array([1.0, 2.0]), "n": np.int64(3),
                                         "taus": np.array([10.0, 20.0]) * ureg.ms})
    # quantities are data (numbers or lists with a unit string), not display text
    assert provenance(tree) == {"tau": {"value": 20, "unit": "ms"}, "weights": [1.0, 2.0], "n": 3,
                                "taus": {"value": [10.0, 20.0], "unit": "ms"}}
    with pytest.raises(ConfigError, match="provenance.bad"):
        build_result([inhibitory()], {"bad": object()})


def test_missing_directory_raises_and_leaves_nothing(tree, tmp_path):
    target = tmp_path / "missing" / "out.nc"
    with pytest.raises(SnnzooError, match="does not exist"):
        write_netcdf(tree, target)
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_failed_write_leaves_no_partial_or_temporary_file(tree, tmp_path):
    tree["E"].attrs["unstorable"] = True  # netCDF cannot store a bool attribute
    with pytest.raises(SnnzooError, match="out.nc"):
        write_netcdf(tree, tmp_path / "out.nc")
    assert list(tmp_path.iterdir()) == []


def test_open_result_errors(tmp_path):
    with pytest.raises(SnnzooError, match="no such file"):
        open_result(tmp_path / "absent.nc")
    with pytest.raises(SnnzooError, match=f"^cannot open result {tmp_path}: it is a folder$"):  # "no such file"
        open_result(tmp_path)
    text = tmp_path / "text.nc"
    text.write_text("not netcdf")
    with pytest.raises(SnnzooError, match="not a readable netCDF"):
        open_result(text)
    foreign = tmp_path / "foreign.nc"
    xr.Dataset({"x": ("t", [1.0])}).to_netcdf(foreign, engine="netcdf4")
    with pytest.raises(SnnzooError, match="not a snnzoo result"):
        open_result(foreign)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda p: setattr(p, "spike_neurons", np.array([2, 4, 0, 5])), "0..4"),
        (lambda p: p.states[0].data.update(v=np.zeros((2, 2))), "shape"),
        (lambda p: setattr(p, "labels", ["a"]), "labels"),
        # a record's variable or coordinate named as one of the spike list's (or another record's) would replace it
        (lambda p: p.states[0].data.update(spike_count=np.zeros((6, 2))) or p.states[0].units.update(spike_count="1"),
         re.escape("population 'E': names ['spike_count'] are used twice")),
        (lambda p: p.states[0].data.update(time_slow=np.zeros((6, 2))) or p.states[0].units.update(time_slow="s"),
         re.escape("population 'E': names ['time_slow'] are used twice")),
    ],
)
def test_inconsistent_records_are_config_errors(change, message):
    population = excitatory()
    change(population)
    with pytest.raises(ConfigError, match=message):
        build_result([population], {})


def test_duplicate_population_names():
    with pytest.raises(ConfigError, match="more than once"):
        build_result([inhibitory(), inhibitory()], {})


def test_duration_from_provenance_and_engine_spike_counts():
    population = inhibitory()
    population.spike_counts = np.array([0, 3, 0])  # counts the engine kept beyond the recorded spikes
    group = build_result([population], {"duration": 0.5})["I"].to_dataset()
    assert group.attrs["duration_seconds"] == 0.5
    assert group["spike_count"].values.tolist() == [0, 3, 0]
    assert "duration_seconds" not in build_result([inhibitory()], {})["I"].attrs

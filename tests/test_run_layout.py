"""One layout for one run and for many: stacking result files, the accessor per run, provenance as data, rerun."""

from __future__ import annotations

import json
import warnings

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import snnzoo as sz
from snnzoo.catalog.experiment import Experiment
from snnzoo.cli import main
from snnzoo.results.tree import differences, open_result, open_results, write_netcdf

SPEC = """
dt = "0.1 ms"
duration = "200 ms"
seed = 7

[populations.G]
model = "lif_cond_exp"
size = 20

[sources.P]
type = "poisson_group"
size = 30
rate = "40 Hz"

[projections.drive]
source = "P"
target = "G"
on = "ge"
weight = "3 nS"
p = 0.5

[monitors.v]
population = "G"
variables = ["v"]
neurons = [0, 1]

[[expected]]
check = "mean_rate"
population = "G"
min = "0.1 Hz"
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs")
    toml = folder / "small.toml"
    toml.write_text(SPEC)
    paths = [write_netcdf(Experiment.load(str(toml)).run(seed=seed), folder / f"seed{seed}.nc") for seed in (1, 2, 3)]
    return toml, paths


def test_plain_xarray_stacks_run_files_and_the_accessor_gives_one_value_per_run(runs):
    _, paths = runs
    one_by_one = [xr.open_dataset(path, group="G").load() for path in paths]
    stacked = xr.open_mfdataset(paths, group="G", combine="nested", concat_dim="seed", join="outer").load()
    lengths = [ds.sizes["spike"] for ds in one_by_one]
    assert len(set(lengths)) > 1  # the runs have different numbers of spikes, and still stack
    assert stacked.sizes["spike"] == max(lengths)
    rates = stacked.snn.mean_rates()
    assert rates.dims == ("seed", "cell")
    for k, ds in enumerate(one_by_one):
        np.testing.assert_array_equal(rates.isel(seed=k), ds.snn.mean_rates())
        np.testing.assert_array_equal(stacked.snn.isi_cv().isel(seed=k), ds.snn.isi_cv())
    concatenated = xr.concat(one_by_one, dim="seed", join="outer")
    np.testing.assert_array_equal(concatenated.snn.spike_counts(), stacked["spike_count"])
    # the pooled answer (what a naive sum over the stacked spikes gives) is not what the accessor returns
    assert float(rates.mean()) == pytest.approx(np.mean([float(ds.snn.mean_rates().mean()) for ds in one_by_one]))


def test_functions_refuse_stacked_runs_rather_than_pool_them(runs):
    _, paths = runs
    stacked = xr.open_mfdataset(paths, group="G", combine="nested", concat_dim="seed", join="outer").load()
    # spike_trains said "use the ds.snn accessor" when called through the accessor
    with pytest.raises(sz.ConfigError) as refused:
        stacked.snn.spike_trains()
    assert str(refused.value) == (
        "this group stacks several runs along ('seed',), where one run is needed: select one, e.g. ds.isel(seed=0) "
        "(one value per run: ds.snn.spike_counts(), ds.snn.mean_rates(), ds.snn.population_rate(), "
        "ds.snn.isi_cv(), ds.snn.first_spike_time())")
    for analysis in ("spike_counts", "mean_rates", "isi_cv", "first_spike_time"):  # as the message says
        assert getattr(stacked.snn, analysis)().dims[0] == "seed"
    assert stacked.snn.population_rate(bin="50 ms").dims[0] == "seed"
    from snnzoo.results.analysis import mean_rates

    with pytest.raises(sz.ConfigError, match="stacks several runs"):
        mean_rates(stacked)
    from snnzoo.results.plotting import plot_raster, plot_synaptic_currents, plot_traces

    # plot_traces was "ValueError: too many values to unpack"
    for draw in (plot_traces, plot_raster, lambda ds: plot_synaptic_currents(ds, {"ge": 0 * sz.ureg.mV})):
        with pytest.raises(sz.ConfigError, match=r"stacks several runs along \('seed',\).*isel\(seed=0\)"):
            draw(open_results(paths)["G"].to_dataset())


def test_open_results_uses_the_seeds_and_checks_the_files_belong_together(runs, tmp_path):
    toml, paths = runs
    tree = open_results(paths)
    assert tree["G"].to_dataset()["seed"].values.tolist() == [1, 2, 3]
    rates = tree["G"].to_dataset().snn.population_rate(bin="50 ms")
    assert rates.dims == ("seed", "time_bin") and rates.sizes["time_bin"] == 4
    assert tree["projections/drive"].to_dataset()["pre"].dims == ("seed", "synapse")
    other = write_netcdf(sz.catalog.experiment.Experiment("other", {"duration": "10 ms", "populations": {
        "H": {"model": "lif", "size": 2}}}).run(seed=99), tmp_path / "other.nc")
    with pytest.raises(sz.SnnzooError, match=r"hold different groups \(.*other.nc also holds \['/H'\]; it lacks "
                                             r"\['/G', .*\]\); only results with the same groups stack"):
        open_results([paths[0], other])
    for dim in ("seed", "run"):  # with dim="run" the file was stacked twice, its run weighing twice
        with pytest.raises(sz.SnnzooError, match=r"^open_results: .*seed1.nc is given twice$"):
            open_results([paths[0], paths[0]], dim=dim)
    bigger = write_netcdf(Experiment.load(str(toml), ["populations.G.size=21"]).run(seed=4), tmp_path / "bigger.nc")
    with pytest.raises(sz.SnnzooError, match=r"^open_results: population 'G' has 20 neurons in .*seed1.nc and 21 in "
                                             r".*bigger.nc; results of different sizes do not stack into one group"):
        open_results([paths[0], bigger])  # it padded G's cells with NaN, and G lost its size (.snn failed)


def test_runs_of_different_durations_stack_with_the_duration_of_each(runs, tmp_path):
    toml, _ = runs
    paths = [write_netcdf(Experiment.load(str(toml), [f"duration={duration}"]).run(seed=1), tmp_path / f"{duration}.nc")
             for duration in ("200 ms", "100 ms")]
    stacked = open_results(paths, dim="run")["G"].to_dataset()
    assert "duration_seconds" not in stacked.attrs and stacked["duration_seconds"].values.tolist() == [0.2, 0.1]
    rates = stacked.snn.mean_rates()
    for k, path in enumerate(paths):
        alone = open_result(path)["G"].to_dataset()
        np.testing.assert_array_equal(rates.isel(run=k), alone["spike_count"] / alone.attrs["duration_seconds"])


def test_open_results_takes_a_glob_pattern_and_refuses_unusable_arguments(runs):
    _, paths = runs
    folder = Path(paths[0]).parent
    by_pattern = open_results(str(folder / "*.nc"))
    assert by_pattern["G"].to_dataset()["seed"].values.tolist() == [1, 2, 3]
    xr.testing.assert_identical(by_pattern["G"].to_dataset(), open_results(sorted(paths))["G"].to_dataset())
    assert open_results(paths[0])["G"].to_dataset()["seed"].values.tolist() == [1]  # one path, not its letters
    for arguments, message in [((str(folder / "nothing-*.nc"),), "no file matches"),
                               ((42,), "expected result files"), (([],), "at least one result file"),
                               ((paths, ""), "dim must be a name"), ((paths, "cell"), "'cell' is already a group")]:
        with pytest.raises(sz.SnnzooError, match=message):
            open_results(*arguments)


@pytest.mark.parametrize("dim, values, message", [
    ("run", [1, 1.0, 2], r"the run values \[1, 1.0, 2\] repeat"),  # equal, though their repr differs: taken
    ("run", "abc", "values: expected a list of 3 numbers or names, one per file, got 'abc'"),  # ValueError
    ("run", [[1], [2], [3]], "values: expected a list of 3 numbers or names"),  # MissingDimensionsError
    ("run", [None, 1, 2], "the run value None is not a number or a name"),  # taken
    ("run", [float("nan"), 1, 2], "the run value nan is not a number or a name"),
    ("G", None, "dim 'G' is already a group, dimension or variable"),  # KeyError from the tree
])
def test_open_results_values_are_one_distinct_number_or_name_per_file(runs, dim, values, message):
    _, paths = runs
    with pytest.raises(sz.SnnzooError, match=f"^open_results: {message}"):
        open_results(paths, dim=dim, values=values)
    stacked = open_results(paths, dim="rate", values=np.array([2.5, 5, 10]))["G"].to_dataset()
    assert stacked["rate"].values.tolist() == [2.5, 5, 10]


def test_accessor_is_registered_by_import_snnzoo_alone(runs, tmp_path):
    import subprocess
    import sys

    _, paths = runs
    code = f"import snnzoo, xarray as xr; print(float(xr.open_dataset({str(paths[0])!r}, group='G').snn.mean_rates().mean()))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert float(out) == pytest.approx(float(xr.open_dataset(paths[0], group="G").snn.mean_rates().mean()))


def test_provenance_parameters_are_numbers_with_units(runs):
    _, paths = runs
    recorded = json.loads(open_result(paths[0]).attrs["snnzoo_provenance_json"])
    assert recorded["projections"]["drive"]["weight"] == {"value": 3, "unit": "nS"}
    assert recorded["sources"]["P"]["rate"] == {"value": 40.0, "unit": "Hz"}
    assert recorded["seed"] == 1 and recorded["dt"] == pytest.approx(1e-4)


def test_from_result_and_rerun_reproduce_a_file_bit_for_bit(runs, tmp_path, capsys):
    _, paths = runs
    again = Experiment.from_result(paths[1]).run()
    assert differences(open_result(paths[1]), again) == []
    assert differences(open_result(paths[0]), again)  # a different seed does differ
    assert main(["rerun", str(paths[1]), "-q", "-o", str(tmp_path / "again.nc")]) == 0
    assert "identical" in capsys.readouterr().out
    python_built = sz.Network(seed=1)
    python_built.add_population("n", "lif", 1)
    python_built.run("1 ms")
    write_netcdf(python_built.result(), tmp_path / "script.nc")
    assert main(["rerun", str(tmp_path / "script.nc")]) == 2
    assert "not made from an experiment" in capsys.readouterr().err


def test_rerun_keeps_the_order_of_the_file_whose_tables_are_not_alphabetical(tmp_path):
    # Populations and projections are built in the file's order, and random draws follow it: the
    # provenance kept the spec with sorted keys, so 'rerun' built 'a_drive' before 'z_drive' and drew
    # other synapses (and other initial values) than the run it was to reproduce.
    toml = tmp_path / "unsorted.toml"
    toml.write_text(SPEC.replace("[populations.G]", '[populations.Z]\nmodel = "lif"\nsize = 5\n'
                                 'initial = { v = "-60*mV + 5*mV*rand()" }\n\n[populations.G]')
                    + '\n[projections.a_drive]\nsource = "P"\ntarget = "G"\non = "gi"\nweight = "1 nS"\np = 0.3\n')
    toml.write_text(toml.read_text().replace("[projections.drive]", "[projections.z_drive]"))
    first = Experiment.load(str(toml)).run()
    assert list(json.loads(first.attrs["snnzoo_provenance_json"])["projections"]) == ["z_drive", "a_drive"]
    again = Experiment.from_result(write_netcdf(first, tmp_path / "unsorted.nc")).run()
    assert differences(first, again) == []


@pytest.mark.parametrize("damage, fragment", [
    (lambda recorded: {k: v for k, v in recorded.items() if k != "seed"}, "its provenance has no 'seed'"),
    (lambda recorded: [recorded], "its provenance is a list, not a table"),
    # it said "it was not made from an experiment (no 'experiment_spec' in its provenance)"
    (lambda recorded: {**recorded, "experiment_spec": [recorded["experiment_spec"]]},
     "the 'experiment_spec' of its provenance is a list, not a table, so the experiment cannot be rebuilt from it"),
])
def test_rerun_of_a_file_whose_provenance_lacks_what_rerun_needs_is_one_line(runs, tmp_path, capsys, damage, fragment):
    _, paths = runs
    tree = open_result(paths[0])
    tree.attrs["snnzoo_provenance_json"] = json.dumps(damage(json.loads(tree.attrs["snnzoo_provenance_json"])))
    tree.to_netcdf(tmp_path / "damaged.nc")
    assert main(["rerun", str(tmp_path / "damaged.nc"), "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("snnzoo: error: result ") and fragment in err and "\n" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["damaged.nc"]


def test_rerun_of_a_file_a_newer_snnzoo_wrote_warns_in_one_line(runs, tmp_path, capsys):
    """A file from a newer snnzoo was rerun in silence: "differs" with no hint that the versions differ."""
    _, paths = runs
    tree = open_result(paths[0])
    recorded = json.loads(tree.attrs["snnzoo_provenance_json"])
    tree.attrs["snnzoo_provenance_json"] = json.dumps({**recorded, "snnzoo_version": "999.0"})
    tree.to_netcdf(tmp_path / "newer.nc")
    assert main(["rerun", str(tmp_path / "newer.nc"), "-q"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"snnzoo: warning: result {tmp_path / 'newer.nc'}: written by "
                                                     f"snnzoo 999.0, newer than this snnzoo {sz.__version__}; "), err
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Experiment.from_result(paths[0])  # this version's own files (and older ones) rerun without a word


def test_set_adds_a_key_left_at_its_default_and_no_check_skips_the_expected_block(runs, tmp_path, capsys):
    toml, _ = runs
    out = tmp_path / "rk2.nc"
    assert main(["run", str(toml), "-q", "-o", str(out), "--set", "populations.G.integrator=rk2",
                 "--set", "duration=20 ms", "--set", "sources.P.rate=0 Hz", "--no-check"]) == 0
    assert "checks hold" not in capsys.readouterr().out
    assert json.loads(open_result(out).attrs["snnzoo_provenance_json"])["populations"]["G"]["integrator"] == "rk2"
    assert main(["run", str(toml), "-q", "-o", str(out), "--set", "populations.G.integrater=rk2"]) == 2
    assert "did you mean 'populations.G.integrator'?" in capsys.readouterr().err


def test_open_results_keeps_precision_and_completeness_per_run_when_they_differ(runs, tmp_path):
    """The root kept the first file's precision and complete attributes, so a stack of a double- and a
    single-precision run (or of a complete and an interrupted one) read as all double (all complete)."""
    toml, paths = runs
    single = write_netcdf(Experiment.load(str(toml), ["precision=single"]).run(seed=4), tmp_path / "single.nc")
    mixed = open_results([paths[0], single])
    assert mixed["precision"].values.tolist() == ["double", "single"]
    assert mixed["precision"].dims == ("seed",) and "precision" not in mixed.attrs
    assert mixed.attrs["complete"] == 1 and "complete" not in mixed.data_vars
    same = open_results(paths)
    assert same.attrs["precision"] == "double" and "precision" not in same.data_vars

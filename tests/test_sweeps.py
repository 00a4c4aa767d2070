"""Sweeps: grids with units, seeds, executors (this process, local processes, dask), the store, resume, failures."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import sys
import threading

import numpy as np
import pytest
import xarray as xr

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.catalog.experiment import Experiment
from snnzoo.plugins.loader import get_registry
from snnzoo.cli import main
from snnzoo.results.tree import open_result, provenance, write_netcdf
from snnzoo.sweeps import executors, worker
from snnzoo.sweeps.sweep import SweepInterrupted

SPEC = """
dt = "0.1 ms"
duration = "50 ms"
seed = 3

[populations.G]
model = "lif_cond_exp"
size = 10

[sources.P]
type = "poisson_group"
size = 20
rate = "50 Hz"

[projections.drive]
source = "P"
target = "G"
on = "ge"
weight = "4 nS"
p = 0.5

[[expected]]
check = "mean_rate"
population = "G"
min = "1 Hz"
"""


@pytest.fixture
def toml(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SPEC)
    return str(path)


def test_serial_sweep_has_swept_dims_with_units_and_matches_single_runs(toml):
    result = sz.sweep(toml, {"sources.P.rate": [20, 80] * u.Hz, "projections.drive.weight": ["2 nS", "6 nS"]},
                      seeds=[1, 2], executor="serial")
    assert result["status"].dims == ("P_rate", "drive_weight", "seed")
    assert result["P_rate"].attrs["units"] == "Hz" and result["drive_weight"].attrs["units"] == "nS"
    assert result["P_rate"].attrs["path"] == "sources.P.rate"
    assert (result["status"] == "ok").all()
    single = Experiment.load(toml, ["sources.P.rate=80 Hz", "projections.drive.weight=2 nS"]).run(seed=2)
    expected = single["G"].to_dataset().snn.mean_rates().mean()
    assert float(result["mean_rate"].sel({"P_rate": 80, "drive_weight": 2, "seed": 2, "population": "G"})) == \
        pytest.approx(float(expected), rel=1e-12)
    rates = result["mean_rate"].sel(population="G").mean("seed")
    assert float(rates.sel({"P_rate": 80, "drive_weight": 6})) > float(rates.sel({"P_rate": 20, "drive_weight": 2}))
    assert result["check_passed"].dims == ("P_rate", "drive_weight", "seed", "check")
    # parameter values are data: one kernel serves all eight runs
    assert int(result["kernels_loaded"].sum()) <= 1


def test_swept_durations_give_each_run_its_own_rate_window(toml, monkeypatch):
    run = Experiment.run

    def fails_at_50_ms(experiment, **kwargs):  # a run that raises while it runs, between finished ones
        if experiment.spec["duration"] == "50.0 ms":
            raise sz.SimulationError("the state became NaN")
        return run(experiment, **kwargs)

    monkeypatch.setattr(Experiment, "run", fails_at_50_ms)
    grid = {"duration": ["20 ms", "50 ms", "30 ms"], "sources.P.rate": ["50 Hz", "40 Hz", "60 Hz"]}
    result = sz.sweep(toml, grid, zip=True, executor="serial", record="spikes")
    assert result["status"].values.ravel().tolist() == ["ok", "failed", "ok"]
    group = result["G"].to_dataset()
    assert group["duration_seconds"].dims == ("duration", "seed") and "duration_seconds" not in group.attrs
    expected = group["spike_count"] / xr.DataArray([[0.02], [np.nan], [0.03]], dims=("duration", "seed"))
    np.testing.assert_allclose(group.snn.mean_rates().transpose(*expected.dims), expected, rtol=1e-12)
    assert np.isnan(group.snn.mean_rates(stop="20 ms").isel(duration=1)).all()  # the failed run: no value
    with pytest.raises(sz.ConfigError, match=r"^run duration = 20 ms, seed = 3: stop: 25 ms is outside the run; "
                                             r"expected a time from 0 to its duration, 0.02 s$"):
        group.snn.mean_rates(stop=25 * u.ms)  # the run is named: it said only "outside the run"
    with pytest.raises(sz.ConfigError, match=r"give results of different shapes, \(4,\) for duration = 20 ms, "
                                             r"seed = 3 and \(6,\) for duration = 30 ms, seed = 3; analyse them"):
        group.snn.population_rate(5 * u.ms)
    unnamed = xr.concat([group.isel(duration=0, seed=0).drop_vars(["duration", "seed", "P_rate"], errors="ignore"),
                         group.isel(duration=2, seed=0).drop_vars(["duration", "seed", "P_rate"], errors="ignore")], dim="run")
    with pytest.raises(sz.ConfigError, match=r"^run run 0: stop: 25 ms is outside the run"):
        unnamed.snn.mean_rates(stop=25 * u.ms)  # runs stacked without coordinates are named by position


def test_zip_and_seeds_count_and_traces_tree(toml):
    tree = sz.sweep(toml, {"sources.P.rate": ["20 Hz", "40 Hz", "80 Hz"], "projections.drive.weight": [2, 3, 4] * u.nS},
                    zip=True, seeds=2, executor="serial", record="spikes")
    summary = tree.to_dataset()
    assert summary["status"].dims == ("P_rate", "seed") and summary["seed"].values.tolist() == [0, 1]
    assert summary["drive_weight"].dims == ("P_rate",)
    group = tree["G"].to_dataset()
    assert group["spike_time"].dims == ("P_rate", "seed", "spike")
    per_run = group.snn.mean_rates().mean("cell")
    np.testing.assert_allclose(per_run, summary["mean_rate"].sel(population="G"))


def _dies_at_size_7(params, seed):
    if params["populations.G.size"] == 7:
        os._exit(3)  # the worker process dies mid-run
    net = sz.Network(seed=seed)
    net.add_population("G", "lif", params["populations.G.size"])
    net.add_stimulus(sz.stimulus("constant_current", amplitude=params["I"]), "G")
    return net


def test_local_workers_failed_and_dying_runs_are_recorded_and_the_others_complete(tmp_path):
    result = sz.sweep(_dies_at_size_7, {"populations.G.size": [2, 7, 0], "I": ["400 pA", "500 pA", "600 pA"]},
                      zip=True, duration="20 ms", workers=2, out=tmp_path / "out")
    status = result["status"].values.ravel().tolist()
    assert status == ["ok", "lost", "failed"], result["error"].values
    assert "died" in str(result["error"].values.ravel()[1])
    assert "population 'G': size must be a whole number >= 1, got 0" in str(result["error"].values.ravel()[2])
    assert result["total_spikes"].sel(population="G").values.ravel()[0] > 0
    stored = sorted(p.name for p in (tmp_path / "out" / "runs").iterdir())
    assert stored == ["0-seed0.nc", "2-seed0.nc"]  # the lost run is not stored: resume runs it again


@pytest.mark.parametrize("runs, workers, sizes", [
    (12, 2, [3, 3, 3, 3]), (10, 2, [3, 3, 2, 2]), (3, 2, [1, 1, 1]), (5, 1, [3, 2]), (0, 2, []),
    (100, 2, [4] * 22 + [3] * 4), (7, 3, [2, 1, 1, 1, 1, 1])])
def test_runs_are_grouped_into_tasks_of_equal_shares_per_worker(runs, workers, sizes):
    """Each worker gets the same number of tasks (12 runs on 2 workers: not 4 + 4 + 4, which gave one
    worker 8), at least two while there are runs for them, at most four runs in one."""
    assert executors.task_sizes(runs, workers) == sizes


def test_local_workers_take_one_run_per_task_so_that_every_finished_run_is_stored_at_once():
    assert executors.LocalExecutor(2).task_sizes(3) == [1, 1, 1]


class _GroupedLocalExecutor(executors.LocalExecutor):
    """Local workers given tasks of several runs, as dask workers are."""

    def task_sizes(self, runs: int) -> list[int]:
        return executors.task_sizes(runs, self.workers)


def _fails_at_size_0(params, seed):
    net = sz.Network(seed=seed)
    net.add_population("G", "lif", params["populations.G.size"])
    net.add_stimulus(sz.stimulus("constant_current", amplitude="500 pA"), "G")
    return net


def test_a_failed_run_inside_a_task_of_several_is_recorded_alone_and_the_results_do_not_depend_on_grouping(
        tmp_path):
    grid = {"populations.G.size": [2, 3, 0, 4, 5, 6, 7, 8]}
    assert executors.task_sizes(8, 2) == [2, 2, 2, 2]  # size 0 shares its task with size 4
    executor = _GroupedLocalExecutor(2)
    try:
        grouped = sz.sweep(_fails_at_size_0, grid, duration="20 ms", executor=executor, out=tmp_path / "grouped")
    finally:
        executor.close()
    alone = sz.sweep(_fails_at_size_0, grid, duration="20 ms", executor="serial", out=tmp_path / "alone")
    assert grouped["status"].values.ravel().tolist() == ["ok", "ok", "failed", "ok", "ok", "ok", "ok", "ok"]
    assert "size must be a whole number >= 1, got 0" in str(grouped["error"].values.ravel()[2])
    xr.testing.assert_identical(_without_timings(grouped), _without_timings(alone))
    stored = sorted(p.name for p in (tmp_path / "grouped" / "runs").iterdir())
    assert stored == sorted(p.name for p in (tmp_path / "alone" / "runs").iterdir()) and len(stored) == 8
    for name in stored:
        mine, serial = open_result(tmp_path / "grouped" / "runs" / name), open_result(tmp_path / "alone" / "runs" / name)
        xr.testing.assert_identical(_without_timings(mine["summary"].to_dataset()),
                                    _without_timings(serial["summary"].to_dataset()))


def _killed_mid_run(params, seed):
    net = sz.Network(seed=seed)
    net.add_population("G", "lif", 5)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=params["I"]), "G")
    if params["I"] == 450 * u.pA:  # SIGKILL (as from the OOM killer) while the simulation loop runs
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGKILL)).start()
        net.run("1000 s")
    return net


def test_a_worker_killed_during_its_simulation_is_a_recorded_loss_not_a_hang(tmp_path):
    result = sz.sweep(_killed_mid_run, {"I": ["400 pA", "450 pA", "500 pA", "600 pA"]}, duration="20 ms",
                      workers=2, out=tmp_path / "out")
    assert result["status"].values.ravel().tolist() == ["ok", "lost", "ok", "ok"], result["error"].values
    assert "died" in str(result["error"].values.ravel()[1])
    assert sorted(p.name for p in (tmp_path / "out" / "runs").iterdir()) == ["0-seed0.nc", "2-seed0.nc", "3-seed0.nc"]


def _exits_at_450_pa(params, seed):
    if params["I"] == 450 * u.pA:
        sys.exit(3)  # as a script's own check of its input would
    return _killed_mid_run(params, seed)


@pytest.mark.parametrize("executor", ["serial", None])
def test_a_build_function_that_calls_sys_exit_fails_its_run_and_the_others_complete(executor):
    """SystemExit from a build function ended the whole sweep (re-raised in this process)."""
    result = sz.sweep(_exits_at_450_pa, {"I": ["400 pA", "450 pA", "500 pA"]}, duration="20 ms", executor=executor,
                      workers=None if executor else 2)
    assert result["status"].values.ravel().tolist() == ["ok", "failed", "ok"]
    assert result["error"].values.ravel()[1] == "SystemExit: 3"


def _killed_while_built_at_the_first_point(params, seed):
    if params["I"] == 400 * u.pA:  # as a first point too large for memory, killed by the OOM killer
        os.kill(os.getpid(), signal.SIGKILL)
    return _killed_mid_run(params, seed)


def test_a_build_function_that_kills_its_process_at_the_first_point_kills_a_worker_not_the_sweep(tmp_path):
    grid = {"I": ["400 pA", "500 pA", "600 pA"]}
    result = sz.sweep(_killed_while_built_at_the_first_point, grid, duration="20 ms", workers=2,
                      out=tmp_path / "out")
    assert result["status"].values.ravel().tolist() == ["lost", "ok", "ok"], result["error"].values
    again = sz.sweep(_killed_while_built_at_the_first_point, grid, duration="20 ms", workers=2,
                     out=tmp_path / "out", resume=True)  # the lost run first in line again
    assert again["status"].values.ravel().tolist() == ["lost", "ok", "ok"], again["error"].values


def test_runs_sent_after_a_worker_died_unnoticed_are_retried_not_lost(toml):
    # a worker died between two results: the pool refused the next runs at once (BrokenProcessPool out of
    # submit), which ended the whole sweep in a traceback; seen when the machine was busy
    import time

    from snnzoo.sweeps.executors import WorkerDied

    spec = Experiment.load(toml).spec
    task = worker.Task("0-seed0", "small", 0, "summary", spec={**spec, "seed": 0})
    executor = executors.LocalExecutor(1)
    try:
        executor.start(task)
        assert executor.outcomes(executor.submit([task]))[0].status == "ok"
        pool = executor._pool
        for process in list(pool._processes.values()):
            os.kill(process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while not pool._broken and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pool._broken, "the pool did not notice its dead worker"
        refused = executor.submit([task])  # it raised BrokenProcessPool here
        with pytest.raises(WorkerDied, match="died"):
            executor.outcomes(refused)
        assert executor.outcomes(executor.submit([task]))[0].status == "ok"  # new workers take the run
    finally:
        executor.close(cancel=True)


def test_a_failed_run_between_finished_ones_is_combined_with_them():
    def build(params, seed):  # size 0 is refused: that run fails, the ones around it finish
        net = sz.Network(seed=seed)
        net.add_population("G", "lif", params["size"])
        net.add_stimulus(sz.stimulus("constant_current", amplitude="500 pA"), "G")
        return net

    result = sz.sweep(build, {"size": [2, 0, 3]}, duration="20 ms", executor="serial")
    assert result["status"].values.ravel().tolist() == ["ok", "failed", "ok"]
    spikes = result["total_spikes"].sel(population="G").values.ravel()
    assert spikes[0] > 0 and np.isnan(spikes[1]) and spikes[2] > spikes[0]


def _fails_at_a_tiny_time_constant(params, seed):
    net = sz.Network(seed=seed)
    net.add_population("G", "adex", 2, parameters={"tau_w": params["tau_w"]})  # 1e-30 ms: w becomes infinite
    net.add_stimulus(sz.stimulus("constant_current", amplitude="500 pA"), "G")
    return net


def test_a_failed_run_selected_from_stacked_spikes_is_refused_not_read_as_silent():
    """A failed run selected from the stacked group read as a run without spikes: spike_trains() gave empty
    trains, population_rate() and mean_rates() 0 Hz, plot_raster() and plot_traces() empty panels."""
    from snnzoo.results.plotting import plot_raster

    result = sz.sweep(_fails_at_a_tiny_time_constant, {"tau_w": ["30 ms", "1e-30 ms"]}, duration="20 ms",
                      executor="serial", record="spikes")
    assert result["status"].values.ravel().tolist() == ["ok", "failed"]
    group = result["G"].to_dataset()
    rates = group.snn.population_rate(5 * u.ms).isel(seed=0)
    assert (rates.isel(tau_w=0) > 0).any() and rates.isel(tau_w=1).isnull().all()  # one value per run: NaN
    failed, ok = group.isel(tau_w=1, seed=0), group.isel(tau_w=0, seed=0)
    assert len(ok.snn.spike_trains()[0]) > 0
    for analyse in (lambda: failed.snn.spike_trains(), lambda: failed.snn.mean_rates(),
                    lambda: failed.snn.population_rate(5 * u.ms), lambda: plot_raster(failed)):
        with pytest.raises(sz.ConfigError, match=r"^this run has no data: it failed or was lost in its sweep"):
            analyse()


def _without_timings(dataset: xr.Dataset) -> xr.Dataset:
    """A summary without what differs from one run of it to the next (a failed run's has only its wall time)."""
    return dataset.drop_vars(["wall_seconds", "overhead_seconds", "kernels_loaded", "worker"], errors="ignore")


def _provenance_without_timings(tree: xr.DataTree) -> dict:
    recorded = provenance(tree)
    recorded["runs"] = [{k: v for k, v in run.items() if k != "wall_seconds"} for run in recorded["runs"]]
    return recorded


def test_results_and_run_files_do_not_depend_on_the_executor_or_its_workers(toml, tmp_path):
    grid = {"sources.P.rate": ["20 Hz", "50 Hz", "80 Hz"]}
    results = {name: sz.sweep(toml, grid, seeds=2, record="spikes", out=tmp_path / name, **kwargs)
               for name, kwargs in {"serial": {"executor": "serial"}, "one": {"workers": 1},
                                    "two": {"workers": 2}}.items()}
    for name in ("one", "two"):
        xr.testing.assert_identical(_without_timings(results[name].to_dataset()),
                                    _without_timings(results["serial"].to_dataset()))
        xr.testing.assert_identical(results[name]["G"], results["serial"]["G"])
        for path in sorted((tmp_path / "serial" / "runs").iterdir()):
            mine, serial = open_result(tmp_path / name / "runs" / path.name), open_result(path)
            xr.testing.assert_identical(mine["G"], serial["G"])
            assert _provenance_without_timings(mine) == _provenance_without_timings(serial)
            xr.testing.assert_identical(_without_timings(mine["summary"].to_dataset()),
                                        _without_timings(serial["summary"].to_dataset()))
    if executors.FORK_WORKERS:  # forked from the warmed-up client: no worker loads a kernel of its own
        assert int(results["two"]["kernels_loaded"].sum()) == 0


def test_each_run_of_a_sweep_is_bit_for_bit_the_single_run_a_loop_makes(tmp_path):
    """Through two local workers: each run's stored spikes, and its summary's spike totals, ISI CV and
    check values, are exactly what a plain loop of single runs (``Experiment.load(...).run(seed)``) gives."""
    path = tmp_path / "checked.toml"
    path.write_text(SPEC.replace('duration = "50 ms"', 'duration = "300 ms"')
                    + '\n[[expected]]\ncheck = "isi_cv"\npopulation = "G"\nmin = 0.1\n')
    rates, seeds = ["40 Hz", "90 Hz"], [1, 2]
    result = sz.sweep(str(path), {"sources.P.rate": rates}, seeds=seeds, workers=2, record="spikes",
                      out=tmp_path / "sweep")
    summary = result.to_dataset()
    assert (summary["status"] == "ok").all()
    for k, rate in enumerate(rates):
        for j, seed in enumerate(seeds):
            experiment = Experiment.load(str(path), [f"sources.P.rate={rate}"])
            single = experiment.run(seed=seed)
            alone = single["G"].to_dataset()
            stored = open_result(tmp_path / "sweep" / "runs" / f"{k}-seed{seed}.nc")["G"].to_dataset()
            for name in ("spike_time", "spike_neuron", "spike_count"):
                np.testing.assert_array_equal(stored[name].values, alone[name].values)
            run = summary.isel(P_rate=k, seed=j).sel(population="G")
            assert int(run["total_spikes"]) == int(alone["spike_count"].sum())
            np.testing.assert_array_equal(run["isi_cv"].values, np.nanmean(alone.snn.isi_cv().values))
            checks = experiment.check(single)
            np.testing.assert_array_equal(run["check_value"].values, [check.found for check in checks])
            np.testing.assert_array_equal(run["check_passed"].values, [check.passed for check in checks])


def test_store_resume_rerun_and_refusals(toml, tmp_path, capsys):
    out = tmp_path / "sweep"
    grid = {"sources.P.rate": ["30 Hz", "60 Hz"]}
    first = sz.sweep(toml, grid, seeds=2, executor="serial", out=out)
    runs = out / "runs"
    assert len(list(runs.glob("*.nc"))) == 4 and (out / "sweep.nc").exists()
    (runs / "1-seed0.nc").unlink()
    kept = {p.name: p.stat().st_mtime_ns for p in runs.glob("*.nc")}
    again = sz.sweep(toml, grid, seeds=2, executor="serial", out=out, resume=True)
    assert {p.name: p.stat().st_mtime_ns for p in runs.glob("*.nc") if p.name in kept} == kept
    xr.testing.assert_equal(first["mean_rate"], again["mean_rate"])
    assert main(["rerun", str(runs / "1-seed1.nc"), "-q", "-o", str(tmp_path / "r.nc")]) == 0
    assert "identical" in capsys.readouterr().out
    with pytest.raises(sz.SnnzooError, match="already holds this sweep.*--resume"):
        sz.sweep(toml, grid, seeds=2, executor="serial", out=out)
    with pytest.raises(sz.SnnzooError, match="different sweep.*another grid"):
        sz.sweep(toml, {"sources.P.rate": ["30 Hz"]}, seeds=2, executor="serial", out=out, resume=True)
    sz.sweep("lif-decay", {"models.decay.parameters.tau": ["10 ms"]}, executor="serial", out=tmp_path / "lif")
    with pytest.raises(sz.SnnzooError, match="written by experiment 'lif-decay', not 'small'"):
        sz.sweep(toml, {"duration": ["10 ms"]}, executor="serial", out=tmp_path / "lif", resume=True)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(sz.SnnzooError, match="exists and is not a sweep folder"):
        sz.sweep(toml, grid, executor="serial", out=tmp_path / "other")
    with pytest.raises(sz.SnnzooError, match=r"notes.txt is a file, not a folder$"):  # it said "does not exist"
        sz.sweep(toml, grid, executor="serial", out=tmp_path / "other" / "notes.txt" / "sweep")
    with pytest.raises(sz.SnnzooError, match=r"other.nowhere does not exist$"):
        sz.sweep(toml, grid, executor="serial", out=tmp_path / "other" / "nowhere" / "sweep")


def test_resume_compares_values_in_si_units_and_names_what_differs(toml, tmp_path):
    """Settings were compared as texts: resuming with "50 ms" for "0.05 s", or "1, 2 Hz" for "1000, 2000 mHz",
    was "holds a different sweep (experiment 'small' with other settings)", not saying which."""
    out = tmp_path / "sweep"
    sz.sweep(Experiment.load(toml, ["duration=0.05 s"]), {"sources.P.rate": "1000, 2000 mHz"}, executor="serial",
             out=out)
    (out / "runs" / "1-seed3.nc").unlink()
    sz.sweep(Experiment.load(toml, ["duration=50 ms"]), {"sources.P.rate": "1, 2 Hz"}, executor="serial", out=out,
             resume=True)
    assert sorted(path.name for path in (out / "runs").iterdir()) == ["0-seed3.nc", "1-seed3.nc"]
    for duration, rates, checks, difference in [
            ("60 ms", "1, 2 Hz", True, "experiment 'small' with other settings: duration is '0.05 s' in it, "
                                       "'0.06 s' in this sweep"),
            ("50 ms", "1, 3 Hz", True, r"another grid or other seeds: grid.sources.P.rate\[1\] is '2 Hz' in it, "
                                       "'3 Hz' in this sweep"),
            ("50 ms", "1, 2 Hz", False, r"experiment 'small' with other settings: expected is set in it, not in this "
                                        r"sweep \(checks=False, --no-check, drops the checks: its runs were checked\)")]:
        with pytest.raises(sz.SnnzooError, match=rf"^output {re.escape(str(out))}: holds a different sweep "
                                                 rf"\({difference}\); choose another folder$"):
            sz.sweep(Experiment.load(toml, [f"duration={duration}"]), {"sources.P.rate": rates}, checks=checks,
                     executor="serial", out=out, resume=True)


def test_resuming_a_folder_of_another_snnzoo_version_says_so(toml, tmp_path):
    """A sweep.json without a key this version writes was blamed on the models: "experiment 'small' with
    models whose equations or parameters have changed"."""
    import json

    out = tmp_path / "older"
    sz.sweep(toml, {"sources.P.rate": ["30 Hz"]}, executor="serial", out=out)
    manifest = json.loads((out / "sweep.json").read_text())
    del manifest["models_sha256"]
    (out / "sweep.json").write_text(json.dumps(manifest))
    with pytest.raises(sz.SnnzooError, match=r"holds a different sweep \(its sweep.json has no models_sha256: "
                                             r"written by another version of snnzoo\); choose another folder$"):
        sz.sweep(toml, {"sources.P.rate": ["30 Hz"]}, executor="serial", out=out, resume=True)


@pytest.mark.parametrize("damage, message", [
    ({"sweep.json": "[]"}, "sweep.json holds a list, not the table a sweep writes there; choose another folder"),
    ({"sweep.json": b"\xff"}, "cannot read sweep.json ('utf-8' codec can't decode"),
    ({"runs/0-seed3.nc": b""}, "runs/0-seed3.nc: not a readable netCDF file ([Errno -51] NetCDF: Unknown file format: "),
], ids=["list", "not-utf8", "empty-run"])
def test_resume_of_a_folder_whose_files_cannot_be_read_is_one_line_and_leaves_them(toml, tmp_path, capsys, damage,
                                                                                    message):
    """A sweep.json that is not a table was an internal error ("AttributeError: 'list' object has no attribute
    'get'"); one that is not UTF-8 a UnicodeDecodeError; an unreadable run file did not say what to do."""
    out = tmp_path / "out"
    sz.sweep(toml, {"sources.P.rate": ["30 Hz"]}, executor="serial", out=out)
    for name, content in damage.items():
        (out / name).unlink()
        (out / name).write_bytes(content.encode() if isinstance(content, str) else content)
    assert main(["sweep", toml, "--grid", "sources.P.rate=30 Hz", "--workers", "1", "-q", "-o", str(out),
                 "--resume"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"snnzoo: error: output {out}: ") and message in err, err
    assert err.endswith("move it away and resume\n") or "runs/" not in message
    assert all((out / name).read_bytes() == (c.encode() if isinstance(c, str) else c) for name, c in damage.items())


def test_two_sweeps_given_one_new_folder_at_once_do_not_mix_their_runs(toml, tmp_path):
    """Both found the folder free when they started; the second then wrote its runs (and its sweep.nc)
    among the first's, under the first's sweep.json."""
    from snnzoo.sweeps.store import Store

    first = Store(tmp_path / "out", {"experiment": "small", "grid": {"seeds": [0]}, "record": "summary"})
    second = Store(tmp_path / "out", {"experiment": "small", "grid": {"seeds": [1]}, "record": "summary"})
    first.write("0-seed0", b"first")
    with pytest.raises(sz.SnnzooError, match=r"another sweep started writing into it while this one ran \(another "
                                             r"grid or other seeds: seeds\[0\] is 0 in it, 1 in this sweep\); give "
                                             r"each sweep a folder of its own$"):
        second.write("0-seed0", b"second")
    assert (tmp_path / "out" / "runs" / "0-seed0.nc").read_bytes() == b"first"
    first.write("0-seed1", b"first again")  # the folder's own sweep goes on


def test_a_sweep_stopped_by_an_error_cancels_its_runs_in_flight(toml, tmp_path, monkeypatch):
    """The executor was closed by waiting for every run in flight (minutes, for long runs) before the error
    was seen, e.g. when another sweep had taken the output folder."""
    from snnzoo.sweeps.store import Store

    closed = []
    close = executors.LocalExecutor.close
    monkeypatch.setattr(executors.LocalExecutor, "close",
                        lambda executor, cancel=False: closed.append(cancel) or close(executor, cancel))
    monkeypatch.setattr(Store, "write", lambda store, key, content: (_ for _ in ()).throw(sz.SnnzooError("taken")))
    with pytest.raises(sz.SnnzooError, match="^taken$"):
        sz.sweep(toml, {"sources.P.rate": ["20 Hz", "40 Hz", "60 Hz"]}, workers=1, out=tmp_path / "out")
    assert closed and all(closed), closed


@pytest.mark.parametrize("copied", ["1-seed0.nc", "0-seed1.nc", "single run"])
def test_resume_refuses_a_stored_file_that_is_not_that_run(toml, tmp_path, copied):
    """A file copied over a run (another point's, another seed's, a result of 'snnzoo run') was taken as that
    run's result, or was an internal error (KeyError: no summary); now resume refuses it before running anything."""
    out, grid = tmp_path / "sweep", {"sources.P.rate": ["30 Hz", "60 Hz"]}
    sz.sweep(toml, grid, seeds=2, executor="serial", out=out)
    runs = out / "runs"
    (runs / "1-seed1.nc").unlink()
    if copied == "single run":
        write_netcdf(Experiment.load(toml, ["sources.P.rate=30 Hz", "seed=0"]).run(), runs / "0-seed0.nc")
    else:
        (runs / "0-seed0.nc").write_bytes((runs / copied).read_bytes())
    with pytest.raises(sz.SnnzooError) as error:
        sz.sweep(toml, grid, seeds=2, executor="serial", out=out, resume=True)
    assert str(error.value) == (f"output {out}: runs/0-seed0.nc is not run 0-seed0 of this sweep (another run's "
                                "file or another result: its settings or seed differ); move it away and resume")
    assert not (runs / "1-seed1.nc").exists()  # refused before any run


def test_resume_of_a_build_function_sweep_refuses_another_seeds_run(tmp_path):
    out, grid = tmp_path / "sweep", {"I": [600] * u.pA}
    sz.sweep(_constant_current, grid, duration="20 ms", seeds=2, executor="serial", out=out)
    (out / "runs" / "0-seed0.nc").write_bytes((out / "runs" / "0-seed1.nc").read_bytes())
    with pytest.raises(sz.SnnzooError, match="runs/0-seed0.nc is not run 0-seed0 of this sweep"):
        sz.sweep(_constant_current, grid, duration="20 ms", seeds=2, executor="serial", out=out, resume=True)


@pytest.mark.parametrize("grid, kwargs, message", [
    ({"sources.P.rat": ["2 Hz"]}, {}, "did you mean 'sources.P.rate'"),
    ({"sources.P.rate": ["2 nS"]}, {}, "expected [frequency], got 2 nS"),
    ({"sources.P.rate": [1, 2]}, {}, "has no unit"),
    ({"populations.G.parameters.tau_e": [5, 10] * u.mV}, {}, "expected [time]"),
    ({}, {}, "at least one PATH"),
    ({"sources.P.rate": []}, {}, "empty"),
    ({"sources.P.rate": ["2 Hz"]}, {"seeds": 0}, "seeds"),
    ({"sources.P.rate": ["2 Hz"]}, {"seeds": [1, -2]}, "non-negative"),
    ({"sources.P.rate": ["2 Hz"]}, {"seeds": [1, 1]}, "distinct"),
    ({"sources.P.rate": ["2 Hz"]}, {"seeds": [1, 2**64]}, "seeds: expected a whole number from 0 to 2**63 - 1"),
    # it named 2**64 - 1, the last seed, not the number given
    ({"sources.P.rate": ["2 Hz"]}, {"seeds": 2**64},
     f"seeds: expected a number of runs from 1 to 2**63 (seeds 0..N-1), got {2**64}"),
    ({"sources.P.rate": ["2 Hz"]}, {"seeds": -1}, "seeds: expected a whole number >= 1, got -1"),  # it said ">= 0"
    ({"sources.P.rate": ["2 Hz"]}, {"seeds": 0}, "seeds: expected a whole number >= 1, got 0"),
    ({"sources.P.rate": ["2 Hz"]}, {"record": "everything"}, "record"),
    ({"sources.P.rate": ["2 Hz"]}, {"executor": 3.5}, "executor"),
    ({"sources.P.rate": ["2 Hz"], "projections.drive.weight": ["4 nS"]}, {"zip": "yes"},
     "zip: expected True, False or a list of groups of grid paths"),
    ({"sources.P.rate": ["2 Hz"], "projections.drive.weight": ["4 nS"]}, {"zip": ["sources.P.rate"]},
     "zip: expected True, False or a list of groups"),
    # it advised "(e.g. [['sources.P.rate']])", a group of one path, which it refuses
    ({"sources.P.rate": ["2 Hz"]}, {"zip": 3}, "zip: expected True, False or a list of groups of grid paths, got 3"),
    # paths that change nothing simulated ran every run again under a new axis
    ({"sweep.seeds": [1, 2]}, {}, "grid sweep.seeds: 'sweep' changes nothing the runs simulate, so each value would "
                                  "run the same runs again; sweep paths under dt, integrator, precision, duration, "
                                  "models, populations, sources, projections, links, stimuli, monitors, "
                                  "synapse_monitors, protocol"),
    ({"title": ["a", "b"]}, {}, "grid title: 'title' changes nothing the runs simulate"),
    ({"figure.title": ["a", "b"]}, {}, "grid figure.title: 'figure' changes nothing the runs simulate"),
    # a path twice in a group was taken as one group of one path, ignored: the full product ran
    ({"sources.P.rate": ["2 Hz", "4 Hz"], "projections.drive.weight": ["4 nS", "5 nS"]},
     {"zip": [["sources.P.rate", "sources.P.rate"]]},
     "zip: each group lists two or more distinct grid paths once, got ['sources.P.rate', 'sources.P.rate']"),
    ({"sources.P.rate": ["2 Hz"]}, {"out": 123}, "output: expected the path of a folder, got 123"),
    # '' was the current folder (a sweep into an unset "$OUT" wrote there); resume without out was ignored
    ({"sources.P.rate": ["2 Hz"]}, {"out": ""}, "output: expected the path of a folder, got ''"),
    ({"sources.P.rate": ["2 Hz"]}, {"resume": True},
     "resume: continues the sweep stored in out, but no out folder is given"),
    ({"sources.P.rate": ["100 mHz", "2 Hz", "0.1 Hz"]}, {},
     "grid sources.P.rate: the values '100 mHz' and '0.1 Hz' are the same; give each value once"),
    ({"duration": [20, 30, 20] * u.ms}, {}, "grid duration: the values '20 ms' and '20 ms' are the same"),
    ({"populations.G.size": [3, 4, 3.0]}, {}, "grid populations.G.size: the values 3 and 3.0 are the same"),
    ({"populations.G.model": ["lif", "lif"]}, {}, "the values 'lif' and 'lif' are the same"),
    # a raw TypeError: only 0-dimensional arrays can be converted to Python scalars
    ({"sources.P.rate": [[2, 3], [4, 5]] * u.Hz}, {}, "grid sources.P.rate: expected a list of values, got an array "
                                                     "of shape (2, 2)"),
    ({"sources.P.rate": [None, "2 Hz"]}, {}, "the value None has no unit; expected [frequency], e.g. '1 Hz'"),  # 'None Hz'
    ({"populations.G.model": [["lif"]]}, {}, "grid populations.G.model: cannot sweep over the value ['lif']"),
    # a set was one value: "the value {...} has no unit" (its order is not the one given)
    ({"sources.P.rate": {"2 Hz", "4 Hz"}}, {}, "grid sources.P.rate: expected a list of values, got a set"),
    ({"sources.P.rate": ["2 Hz"]}, {"workers": 0}, "workers: expected a whole number >= 1, got 0"),
])
def test_bad_sweep_input_is_one_clear_error(toml, grid, kwargs, message):
    with pytest.raises(sz.SnnzooError) as error:
        sz.sweep(toml, grid, **kwargs)
    assert message in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("grid, message", [
    ({"projections.S.parameters.taupre": [10, 20]},
     "grid projections.S.parameters.taupre: the value 10 has no unit; expected [time], e.g. '10 ms'"),
    ({"projections.S.parameters.taupre": [10, 20] * u.mV}, "expected [time]"),
    ({"projections.S.parameters.tauprx": ["10 ms"]},
     "unknown parameter or variable of synapse model 'stdp' (grid path projections.S) 'tauprx'; did you mean "
     "'taupre'?"),
])
def test_a_synapse_models_parameter_the_file_leaves_out_is_swept_in_its_unit(grid, message):
    """The path was refused ("does not exist in the experiment (choices here: none)")."""
    with pytest.raises(sz.SnnzooError) as error:
        sz.sweep("stdp-song-2000", grid)
    assert message in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("values", ["2, 4 Hz", "2 Hz, 4 Hz", "[2 4] Hz", "[2, 4] Hz", "[2000, 4000] mHz"])
def test_a_text_of_several_values_is_read_as_the_command_line_reads_it(toml, values):
    """In Python, "2, 4 Hz" (the form the grid's own error message advised) was one value, 8 Hz: pint reads
    the comma as a product; "[2 4] Hz", also at the command line, was a raw TypeError."""
    from snnzoo.sweeps.command import parse_grid_option
    from snnzoo.sweeps.grid import make_grid

    spec = Experiment.load(toml).spec
    for grid in ({"sources.P.rate": values}, dict([parse_grid_option(f"sources.P.rate={values}")])):
        rates = make_grid(spec, grid).axes[0].parameters[0]
        assert [rate * u(rates.unit) for rate in rates.values] == [2 * u.Hz, 4 * u.Hz], grid


@pytest.mark.parametrize("text, values", [("[1, 2]", [1, 2]), ("[true, false]", [True, False]),
                                          ("['a', 'b']", ["a", "b"]), ("a", ["a"]), ("1, 2.5", [1, 2.5])])
def test_a_text_of_plain_values_is_read_as_toml_reads_them(text, values):
    from snnzoo.sweeps.grid import values_of_text

    assert values_of_text(text, "x") == values


def test_values_from_a_generator_are_its_values(toml):
    """A generator was one value: "the value <generator object ...> has no unit"."""
    from snnzoo.sweeps.grid import make_grid

    grid = make_grid(Experiment.load(toml).spec, {"sources.P.rate": (rate * u.Hz for rate in (2, 4))})
    assert grid.axes[0].parameters[0].values == (2.0, 4.0)


def test_a_list_of_values_that_does_not_read_is_one_clear_error(toml):
    with pytest.raises(sz.UnitError, match=r"^grid sources.P.rate: cannot read '\[2, 4 Hz' as a list of values; "
                                           r"expected e.g. '\[2, 4, 8\] Hz' or '2, 4, 8 Hz'$"):
        sz.sweep(toml, {"sources.P.rate": "[2, 4 Hz"})


def test_distinct_values_are_checked_without_comparing_every_pair(monkeypatch):
    """Every pair of values was compared, each with its own np.isclose (1 999 000 calls for 2000 values, before
    anything ran). Now the numbers are compared once sorted, each with its neighbour."""
    from snnzoo.sweeps import grid

    calls = []
    isclose = np.isclose
    monkeypatch.setattr(grid.np, "isclose", lambda *args, **kwargs: calls.append(1) or isclose(*args, **kwargs))
    assert len(grid.make_grid(None, {"x": list(range(2000))}).axes[0]) == 2000
    assert len(calls) <= 1
    with pytest.raises(sz.ConfigError, match=r"^grid x: the values 7 and 7.0 are the same; give each value once$"):
        grid.make_grid(None, {"x": [*range(2000), 7.0, 5.0]})  # the first pair in the order given is named
    assert grid._same_value_pairs(("a", 2, "a", 2.0, True, 1, True)) == [(1, 3), (0, 2), (4, 6)]


def test_numpy_seeds_and_worker_counts_are_taken_as_python_ones():
    """seeds=np.arange(2) was refused ("got array([0, 1])"), and so was workers=np.int64(2)."""
    from snnzoo.sweeps.grid import make_grid

    assert make_grid(None, {"x": [1, 2]}, seeds=np.arange(2)).seeds == (0, 1)
    assert executors.LocalExecutor(np.int64(2)).workers == 2


@pytest.mark.parametrize("grid, message", [
    ({"sources.P.rate": {"values": ["a"], "unit": "Hz"}},  # was ValueError: could not convert string to float
     "grid sources.P.rate: a table's values are numbers (its 'unit' gives their unit), got ['a']"),
    ({"populations.G.size": [2, 1.5]},
     "grid point populations.G.size = 1.5: experiment 'small': [populations.G]: 'size' must be a whole number, got 1.5"),
    ({"populations.G.size": [True, False]}, "grid point populations.G.size = True: experiment 'small': "
                                            "[populations.G]: 'size' must be a whole number, got True"),
    ({"sources.P.rate": ["20 Hz", "inf Hz"]}, "grid point sources.P.rate = inf Hz: experiment 'small': [sources.P]: poisson_group: "),
    ({"duration": ["20 ms", "-5 ms"]}, "grid point duration = -5.0 ms: experiment 'small': duration: "
                                       "expected a positive finite [time] quantity, got '-5.0 ms'"),
    ({"populations.G.parameters.tau_e": ["5 ms", "-5 ms"]}, "grid point populations.G.parameters.tau_e = -5.0 ms: "
                                                            "experiment 'small': [populations.G]: population 'G' (model 'lif_cond_exp'): parameter 'tau_e'"),
])
def test_every_grid_point_is_checked_against_the_experiment_before_any_run(toml, tmp_path, grid, message,
                                                                           monkeypatch):
    """Values the experiment refuses were found only when each run failed; now the first is one line before any run."""
    monkeypatch.setattr(worker, "run_task", lambda task: pytest.fail(f"run {task.key} ran"))
    with pytest.raises(sz.SnnzooError) as error:
        sz.sweep(toml, grid, workers=1, out=tmp_path / "out")
    assert message in str(error.value) and "\n" not in str(error.value), error.value
    assert not (tmp_path / "out").exists()


def test_sweeping_the_duration_of_an_experiment_with_a_protocol_is_refused(tmp_path, capsys):
    assert main(["sweep", "lif-decay", "--grid", "duration=10,20 ms", "--workers", "1", "-q",
                 "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == ("snnzoo: error: grid point duration = 10.0 ms: experiment 'lif-decay': give 'duration' or "
                   "[[protocol]], not both (the protocol's 'run' phases set the simulated time)\n")
    assert not (tmp_path / "out").exists()


def test_stacked_spikes_of_populations_of_different_sizes_are_refused(toml, tmp_path, monkeypatch):
    """The stacked group kept the first run's size, and its .snn accessor failed (CoordinateValidationError)."""
    monkeypatch.setattr(worker, "run_task", lambda task: pytest.fail(f"run {task.key} ran"))
    with pytest.raises(sz.ConfigError) as error:
        sz.sweep(toml, {"populations.G.size": [4, 6]}, record="spikes", workers=1)
    assert str(error.value) == ("record 'spikes': population 'G' has 4 neurons at grid point populations.G.size = 4 "
                                "and 6 at grid point populations.G.size = 6; runs of different sizes do not stack "
                                "into one group: record 'summary', or sweep each size on its own")
    monkeypatch.undo()
    summary = sz.sweep(toml, {"populations.G.size": [4, 6]}, executor="serial")
    assert summary["status"].values.ravel().tolist() == ["ok", "ok"]
    build = {"populations.G.size": [2, 3], "I": ["500 pA", "600 pA"]}  # a build function's sizes: known after its runs
    with pytest.raises(sz.ConfigError, match="population 'G' has 2 neurons at run 0-seed0 and 3 at run 1-seed0"):
        sz.sweep(_dies_at_size_7, build, zip=True, duration="10 ms", executor="serial", record="traces",
                 out=tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out" / "runs").iterdir()) == ["0-seed0.nc", "1-seed0.nc"]  # kept


def test_a_process_goes_through_the_warm_up_step_once_per_configuration(toml, monkeypatch):
    """A dask worker kept from an earlier sweep is not warmed up again for the same configuration."""
    steps = []
    step = worker._run
    monkeypatch.setattr(worker, "_run", lambda task, one_step: steps.append(task.key) or step(task, one_step))
    monkeypatch.setattr(worker, "_warmed", set())
    spec = Experiment.load(toml).spec
    task = worker.Task("a", "small", 0, "summary", spec={**spec, "seed": 0})
    worker.warm_up(task)
    worker.warm_up(worker.Task("b", "small", 5, "summary", spec={**spec, "seed": 5}))  # another seed: warm
    assert steps == ["a"]
    worker.warm_up(worker.Task("c", "small", 0, "summary", spec={**spec, "seed": 0, "duration": "20 ms"}))
    worker.warm_up(worker.Task("d", "small", 0, "spikes", spec={**spec, "seed": 0}))
    assert steps == ["a", "c", "d"]


def _dask_clients() -> int:
    import gc

    distributed = pytest.importorskip("distributed")
    return sum(issubclass(type(thing), distributed.Client) for thing in gc.get_objects())  # type(): weak proxies too


def test_unreachable_scheduler_leaves_no_output_and_no_half_made_client(toml, monkeypatch, tmp_path):
    monkeypatch.setattr(executors, "DEFAULT_CONNECT_TIMEOUT", 1.0)
    clients = _dask_clients()
    with pytest.raises(sz.SnnzooError, match="scheduler tcp://127.0.0.1:9: cannot reach a dask scheduler"):
        sz.sweep(toml, {"sources.P.rate": ["2 Hz"]}, executor="tcp://127.0.0.1:9", out=tmp_path / "out")
    assert not (tmp_path / "out").exists()  # the same command with a reachable scheduler needs no --resume
    # a half-made Client left for a later collection closed itself while the next Client was being
    # made, and that waited on a lock the new one held: the test process hung
    assert _dask_clients() == clients


@pytest.mark.parametrize(("address", "message"), [
    ("notaurl", "scheduler 'notaurl': not a dask scheduler address .*missing port.*expected e.g. tcp://HOST:8786"),
    ("http://x:1", "scheduler 'http://x:1': not a dask scheduler address .*unknown address scheme 'http'"),
    ("tcp://:", "scheduler 'tcp://:': not a dask scheduler address"),
    ("", "scheduler: expected the address of a dask scheduler"),
    ("tcp://127.0.0.1:99999",
     r"scheduler 'tcp://127.0.0.1:99999': not a dask scheduler address \(port 99999 is not in 1..65535\)"),
])
def test_malformed_scheduler_address(toml, tmp_path, capsys, address, message):
    assert main(["sweep", toml, "--grid", "sources.P.rate=2Hz", "--scheduler", address, "-o", str(tmp_path / "out"),
                 "-q"]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and re.search(message, error), error
    assert not (tmp_path / "out").exists()
    import dask

    assert dask.config.get("scheduler", None) is None  # no half-made dask client left as the default
    assert _dask_clients() == 0


def test_a_dask_task_sets_its_worker_up_with_the_sweeps_first_run_once(toml, monkeypatch):
    """No round of set-up tasks: the first task a worker gets sets it up with the sweep's first run (not
    with its own runs), and a worker set up for that configuration already is not set up again."""
    started = []
    monkeypatch.setattr(worker, "_warmed", set())
    monkeypatch.setattr(worker, "start_worker", lambda task: started.append(task.key) or worker._warmed.add(
        worker._configuration(task)))  # not gc.freeze() this test process
    spec = Experiment.load(toml).spec
    first = worker.Task("a", "small", 0, "summary", spec={**spec, "seed": 0})
    later = [worker.Task(key, "small", seed, "summary", spec={**spec, "seed": seed}) for key, seed in (("b", 1),
                                                                                                     ("c", 2))]
    outcomes = worker.start_and_run_tasks(first, later) + worker.start_and_run_tasks(first, later[1:])
    assert started == ["a"]
    assert [(outcome.key, outcome.status) for outcome in outcomes] == [("b", "ok"), ("c", "ok"), ("c", "ok")]


def test_a_checks_bounds_are_read_once_and_a_wrong_one_is_refused_every_time(toml):
    """Every run of a sweep checks the same bounds: converted once per process (pint is slow), the same
    verdicts as converting them each time, and a bound of the wrong dimension refused at every check."""
    from snnzoo.catalog import experiment as experiment_module

    experiment = Experiment.load(toml)
    tree = experiment.run()
    first = experiment.check(tree)
    before = experiment_module._bound_si_of_text_or_number.cache_info().hits
    assert experiment.check(tree) == first
    assert experiment_module._bound_si_of_text_or_number.cache_info().hits > before
    wrong = Experiment("small", {**experiment.spec, "expected": [{"check": "mean_rate", "population": "G",
                                                                  "min": "1 mV"}]})
    for _ in range(2):
        with pytest.raises(sz.SnnzooError, match=r"\[\[expected\]\] #1 \(mean_rate\): min: expected dimension"):
            wrong.check(tree)


def test_sweep_through_a_dask_local_cluster_on_loopback(toml, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        result = sz.sweep(toml, {"sources.P.rate": ["20 Hz", "80 Hz"]}, seeds=2, executor=cluster.scheduler_address,
                          out=tmp_path / "dask")
        with distributed.Client(cluster) as client:
            again = sz.sweep(toml, {"sources.P.rate": ["20 Hz", "80 Hz"]}, seeds=2, executor=client)
    serial = sz.sweep(toml, {"sources.P.rate": ["20 Hz", "80 Hz"]}, seeds=2, executor="serial")
    assert (result["status"] == "ok").all()
    xr.testing.assert_equal(result["mean_rate"], serial["mean_rate"])
    xr.testing.assert_equal(again["total_spikes"], serial["total_spikes"])


def test_ctrl_c_during_a_sweep_on_a_dask_address_says_how_many_runs_finished(toml, monkeypatch):
    """The sweep closed the client it made where Ctrl-C stopped the runs, then again as it ended: that
    second close was "internal error: RuntimeError: IOLoop is closed" (exit 70) at the command line."""
    distributed = pytest.importorskip("distributed")

    def interrupted(self, futures):
        raise KeyboardInterrupt

    monkeypatch.setattr(executors.DaskExecutor, "wait", interrupted)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        with pytest.raises(SweepInterrupted, match="^0 of 2 runs finished$"):
            sz.sweep(toml, {"sources.P.rate": ["20 Hz", "80 Hz"]}, executor=cluster.scheduler_address)


def test_a_dask_cluster_without_workers_warns_and_its_runs_wait_for_one(toml, monkeypatch):
    """A scheduler that no worker joined took the runs and the sweep waited in silence (for ever, if none came);
    an adaptive cluster starts its workers once runs wait, so they are sent all the same."""
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(executors, "DEFAULT_CONNECT_TIMEOUT", 1.0)
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            wait = client.wait_for_workers

            def wait_then_start_one(*args, **kwargs):  # a worker joins once the wait is over
                try:
                    return wait(*args, **kwargs)
                finally:
                    threading.Timer(0.5, cluster.scale, (1,)).start()

            monkeypatch.setattr(client, "wait_for_workers", wait_then_start_one)
            late = threading.Timer(20.0, cluster.scale, (1,))  # never waits for ever, even if nothing waited above
            late.start()
            with pytest.warns(UserWarning, match=r"^scheduler .*: no dask worker has joined it within 1 s; the runs "
                                                 r"wait for one \(start workers for it, dask worker ADDRESS, or "
                                                 r"press Ctrl-C\)$"):
                result = sz.sweep(toml, {"sources.P.rate": ["20 Hz"]}, executor=client)
            late.cancel()
    assert (result["status"] == "ok").all()


def test_a_closed_dask_client_is_one_line(toml, tmp_path):
    """It was "AttributeError: 'NoneType' object has no attribute 'ncores'"."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        closed = distributed.Client(cluster)
        closed.close()
    with pytest.raises(sz.SnnzooError, match=r"^executor: the distributed.Client given is closed; pass an open one$"):
        sz.sweep(toml, {"sources.P.rate": ["20 Hz"]}, executor=closed, out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def _dies_at_500_pa(params, seed):
    if params["I"] == 500 * u.pA:
        os._exit(3)  # the dask worker process dies mid-run
    net = sz.Network(seed=seed)
    net.add_population("G", "lif", 3)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=params["I"]), "G")
    return net


DASK_PROCESS_ENVIRONMENT = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MALLOC_TRIM_THRESHOLD_",
                            "PYTHONHASHSEED", "__DASK_PARENT_PID")
"""What a process-based LocalCluster writes into this process's environment for its workers to inherit."""


@pytest.mark.slow  # dask starts (and restarts) a worker process that imports snnzoo
def test_a_dask_worker_dying_mid_run_is_a_recorded_loss(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    import dask

    for name in DASK_PROCESS_ENVIRONMENT:  # the test's end puts each back as it was (later tests' subprocesses
        monkeypatch.setenv(name, "")       # would otherwise inherit OMP_NUM_THREADS=1)
        monkeypatch.delenv(name)

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                     dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        assert executors.DaskExecutor(client).task_sizes(6) == [3, 3]  # the run that dies shares its task with 400 pA
        result = sz.sweep(_dies_at_500_pa, {"I": ["400 pA", "500 pA", "600 pA", "700 pA", "800 pA", "900 pA"]},
                          duration="20 ms", executor=client, out=tmp_path / "dask")
    assert result["status"].values.ravel().tolist() == ["ok", "lost", "ok", "ok", "ok", "ok"], result["error"].values
    assert "dask workers running it died" in str(result["error"].values.ravel()[1])
    assert sorted(p.name for p in (tmp_path / "dask" / "runs").iterdir()) == [
        "0-seed0.nc", "2-seed0.nc", "3-seed0.nc", "4-seed0.nc", "5-seed0.nc"]


def test_cli_sweep_prints_a_table_and_writes_the_store(toml, tmp_path, capsys):
    code = main(["sweep", toml, "--grid", "sources.P.rate=20,80 Hz", "--seeds", "2", "--workers", "1", "-q",
                 "-o", str(tmp_path / "cli")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "4 runs (2 x 2): 4 ok" in out and "P_rate = 20 Hz" in out and "P_rate = 80 Hz" in out
    assert open_result(tmp_path / "cli" / "sweep.nc").to_dataset()["mean_rate"].dims == ("P_rate", "seed", "population")
    code = main(["sweep", toml, "--grid", "sources.P.rate=20,80 Hz", "--seeds", "2", "-q", "-o", str(tmp_path / "cli")])
    assert code == 2 and "--resume" in capsys.readouterr().err
    code = main(["sweep", toml, "--grid", "sources.P.rate", "-o", str(tmp_path / "x")])
    assert code == 2 and "PATH=V1,V2" in capsys.readouterr().err
    assert main(["sweep", toml, "--grid", "projections.drive.p=0.25,0.5", "--grid", "populations.G.size=4,6",
                 "--workers", "1", "-q", "-o", str(tmp_path / "p")]) == 0
    lines = capsys.readouterr().out.splitlines()  # dimensionless values have no unit (it printed 'drive_p = 0.25 1')
    assert lines[1].startswith("  drive_p = 0.25  G_size = 4  ok 1/1") and lines[4].startswith("  drive_p = 0.5  G_size = 6")


def test_cli_sweep_set_changes_every_run_and_is_refused_on_a_swept_path(toml, tmp_path, capsys):
    """``--set`` as ``snnzoo run`` takes it: the value in every run and in the stored spec, no extra axis; a path
    also swept is one line (the grid would replace the value set in silence)."""
    assert main(["sweep", toml, "--grid", "sources.P.rate=20,80 Hz", "--set", "duration=20 ms", "--set",
                 "populations.G.size=4", "--no-check", "--workers", "1", "-q", "-o", str(tmp_path / "set")]) == 0
    capsys.readouterr()
    tree = open_result(tmp_path / "set" / "sweep.nc")
    assert tree.to_dataset()["status"].dims == ("P_rate", "seed")
    spec = json.loads(tree.attrs["experiment_spec"])
    assert spec["duration"] == "20 ms" and spec["populations"]["G"]["size"] == 4
    run = open_result(tmp_path / "set" / "runs" / "1-seed3.nc")  # seed 3: the file's
    assert run["G"].sizes["cell"] == 4 and float(run["G"].attrs["duration_seconds"]) == pytest.approx(0.02)
    assert main(["sweep", toml, "--grid", "sources.P.rate=20,80 Hz", "--set", "sources.P.rate=5 Hz", "-q",
                 "-o", str(tmp_path / "both")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--set sources.P.rate: the sweep's grid varies sources.P.rate" in err, err
    assert not (tmp_path / "both").exists()


@pytest.mark.parametrize("sweep_table, seeds, message", [
    ("", ["--seeds", "2"], "--set seed: --seeds 2 sweeps seeds 0..1, which would replace the value set; "
                           "drop --set seed to run those seeds, or --seeds to run the seed set"),
    ("\n[sweep]\nseeds = 2\n", [], "--set seed: the experiment's [sweep] seeds (2) would replace the value set; "
                                  "give the seeds to run as --set 'sweep.seeds=[S1, S2, ...]'"),
])
def test_cli_set_seed_is_refused_where_the_sweep_has_seeds(tmp_path, capsys, sweep_table, seeds, message):
    """The seeds swept replaced the seed set in silence (seeds 0 and 1 ran for --set seed=5 --seeds 2)."""
    path = tmp_path / "seeded.toml"
    path.write_text(SPEC + sweep_table)
    assert main(["sweep", str(path), "--grid", "sources.P.rate=20 Hz", "--set", "seed=5", *seeds, "--workers", "1",
                 "-q", "-o", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err == f"snnzoo: error: {message}\n"
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("grids, message", [
    (["sources.P.rate=20,80 Hz", "sources.P.rate=40 Hz"],
     "--grid sources.P.rate: given twice; give all its values in one --grid sources.P.rate=V1,V2,..."),
    (["sources.P.rate=100 mHz,0.1 Hz"], "grid sources.P.rate: the values '100 mHz' and '0.1 Hz' are the same"),
    (["=1,2"], "--grid '=1,2': the path before '=' is empty; expected PATH=V1,V2,..."),
    (["sources.P.rate=1,,2 Hz"], "--grid sources.P.rate: give one or more comma-separated values, got '1,,2 Hz'"),
    (["seed=1,2"], "--grid seed: seeds are swept with --seeds N (seeds 0..N-1), not as a grid path"),  # "seeds="
    (["sources.P.rate=1,2 Hz,3 kHz"],  # it ran 1 kHz, 2 Hz, 3 kHz: the bare number took the last unit
     "--grid sources.P.rate: '1,2 Hz,3 kHz' has bare numbers and the units Hz, kHz, so the unit of a bare number is "
     "unclear; give each value its unit, or one unit after the last value, e.g. '1, 2, 3 kHz'"),
])
def test_cli_grid_paths_and_values_are_given_once_and_read_as_given(toml, tmp_path, capsys, grids, message):
    arguments = [argument for grid in grids for argument in ("--grid", grid)]
    assert main(["sweep", toml, *arguments, "--workers", "1", "-q", "-o", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "x").exists()


def test_ctrl_c_keeps_finished_runs_whole_and_resume_finishes(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    # runs long enough (10 s simulated) that the sweep cannot finish between its first stored run
    # and the Ctrl-C (with 50 ms runs it sometimes did, and the command rightly exited with 0)
    toml = tmp_path / "long.toml"
    toml.write_text(SPEC.replace('duration = "50 ms"', 'duration = "10 s"'))
    toml = str(toml)
    out = tmp_path / "interrupted"
    command = [sys.executable, "-m", "snnzoo.cli", "sweep", toml, "--grid", "sources.P.rate=" + ",".join(
        str(r) for r in range(10, 170, 10)) + " Hz", "--seeds", "2", "--workers", "1", "-q", "-o", str(out)]
    # Ctrl-C as at a terminal: a suite started in the background by a non-interactive shell ignores
    # SIGINT, the command inherited that and rightly ran to the end (exit 0; seen in CI dry runs)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 300
    while not list((out / "runs").glob("*.nc")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, f"exit status {process.returncode}, stderr: {err}"
    assert err.count("\n") == 1 and "run again with --resume" in err, err
    finished = list((out / "runs").glob("*.nc"))
    assert 1 <= len(finished) < 32
    for path in finished:
        assert open_result(path)["summary"].dataset["status"] == "ok"
    assert not list((out / "runs").glob(".*"))  # no temporary, half-written file is left
    assert main(["sweep", toml, "--grid", "sources.P.rate=" + ",".join(str(r) for r in range(10, 170, 10)) + " Hz",
                 "--seeds", "2", "--workers", "1", "-q", "-o", str(out), "--resume"]) == 0
    assert len(list((out / "runs").glob("*.nc"))) == 32


@pytest.mark.parametrize("killed_by", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_local_workers_exit_when_the_sweeps_process_is_killed(tmp_path, killed_by):
    """A sweep killed by SIGKILL or SIGTERM (a batch system's time limit, a closed terminal) left its workers
    running, then waiting forever for work, holding its output pipe open (`snnzoo sweep ... | tee` hung)."""
    import subprocess
    import time

    import psutil

    toml = tmp_path / "long.toml"
    toml.write_text(SPEC.replace('duration = "50 ms"', 'duration = "1000 s"'))
    command = [sys.executable, "-m", "snnzoo.cli", "sweep", str(toml), "--grid", "sources.P.rate=10,20 Hz",
               "--workers", "2", "-q", "-o", str(tmp_path / "out")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list = []
    try:
        deadline = time.monotonic() + 120
        while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
            workers = psutil.Process(process.pid).children()
        assert len(workers) == 2, "the sweep did not start its two workers"
        process.send_signal(killed_by)
        process.wait(timeout=60)
        _, alive = psutil.wait_procs(workers, timeout=30)
        assert not alive, f"workers {[p.pid for p in alive]} outlived the sweep's process"
    finally:
        for started in [*workers, process]:
            with contextlib.suppress(psutil.NoSuchProcess, ProcessLookupError):
                started.kill()


def test_a_second_ctrl_c_while_a_sweep_stops_still_says_what_was_kept(toml, tmp_path):
    """Ctrl-C pressed again while the workers stopped ended the sweep with "snnzoo: interrupted; checks not
    evaluated", not saying that the finished runs were kept, nor to resume."""
    class PressedTwice(executors.SerialExecutor):
        waits = 0

        def wait(self, futures):
            self.waits += 1
            if self.waits == 2:
                raise KeyboardInterrupt  # Ctrl-C once the first run is stored
            return {next(iter(futures))}

        def close(self, cancel=False):
            if cancel:
                signal.raise_signal(signal.SIGINT)  # and again while the workers stop

    with pytest.raises(KeyboardInterrupt, match=r"^1 of 2 runs finished and stored in .*; run again with --resume"):
        sz.sweep(toml, {"sources.P.rate": ["2 Hz", "4 Hz"]}, executor=PressedTwice(), out=tmp_path / "out")
    assert [path.name for path in (tmp_path / "out" / "runs").iterdir()] == ["0-seed3.nc"]


def test_builder_gets_quantities_and_must_reach_the_workers():
    def local_builder(params, seed):  # a nested function cannot be sent to worker processes
        return None

    with pytest.raises(sz.ConfigError, match="cannot be sent to worker processes; define it at module level"):
        sz.sweep(local_builder, {"I": ["1 pA"]}, duration="1 ms", workers=1)
    seen = []

    def recording_builder(params, seed):
        seen.append(params)
        net = sz.Network(seed=seed)
        net.add_population("n", "lif", 1)
        net.add_stimulus(sz.stimulus("constant_current", amplitude=params["I"]), "n")
        return net

    result = sz.sweep(recording_builder, {"I": [300, 600] * u.pA}, duration="50 ms", executor="serial")
    assert seen[0]["I"] == 300 * u.pA and seen[1]["I"].units == u.pA
    assert result["total_spikes"].sel(population="n").values.ravel().tolist()[1] > 0
    with pytest.raises(sz.ConfigError, match="workers: only for the default local executor"):
        sz.sweep(recording_builder, {"I": ["1 pA"]}, duration="1 ms", executor="serial", workers=2)


def test_a_grid_path_with_a_name_the_result_uses_gets_a_name_of_its_own():
    def build(params, seed):
        return _constant_current({"I": params["population"]}, seed)

    grid = {"population": [300, 600] * u.pA, "check": [1, 2], "cell": [1, 2]}
    result = sz.sweep(build, grid, duration="20 ms", executor="serial", record="spikes")
    summary = result.dataset
    assert summary["total_spikes"].dims == ("swept_population", "swept_check", "swept_cell", "seed", "population")
    assert summary["population"].values.tolist() == ["n"] and summary["swept_population"].attrs["path"] == "population"
    assert result["n"].dataset["spike_count"].dims == ("swept_population", "swept_check", "swept_cell", "seed", "cell")
    from snnzoo.sweeps.grid import _names

    assert _names(["population", "swept_population", "a.b", "b"]) == [
        "swept_population", "swept_swept_population", "a_b", "b"]


def _recording_v(params, seed):
    net = _constant_current({"I": params["v"]}, seed)
    net.record("n", "v")
    return net


def test_a_build_function_path_named_like_a_recorded_variable_is_renamed_in_the_result():
    """The stacked group's recorded v replaced the swept coordinate v (its values were lost)."""
    tree = sz.sweep(_recording_v, {"v": [300, 600] * u.pA, "swept_v": [1, 2]}, duration="10 ms", executor="serial",
                    record="traces")
    summary, group = tree.to_dataset(), tree["n"].to_dataset()
    assert summary["status"].dims == ("swept_swept_v", "swept_v", "seed")
    assert summary["swept_swept_v"].values.tolist() == [300, 600] and summary["swept_swept_v"].attrs["path"] == "v"
    assert summary["swept_v"].attrs["path"] == "swept_v"
    assert group["v"].dims == ("swept_swept_v", "swept_v", "seed", "time", "neuron")
    assert group["v"].attrs["units"] == "V" and float(group["v"].isel(time=0).max()) < 0  # the membrane, not pA


def _returns_nothing(params, seed):
    return None


def test_a_build_function_and_its_duration_are_checked():
    with pytest.raises(sz.SnnzooError, match=r"duration: expected dimension \[time\], got 5 mV"):  # before any run
        sz.sweep(_returns_nothing, {"I": ["1 nA"]}, duration="5 mV", executor="serial")
    result = sz.sweep(_returns_nothing, {"I": ["1 nA", "2 nA"]}, duration="5 ms", executor="serial")
    assert result["status"].values.ravel().tolist() == ["failed", "failed"]
    assert str(result["error"].values.ravel()[0]) == \
        "the build function '_returns_nothing' returned NoneType, expected an snnzoo.Network"


def _constant_current(params, seed):
    net = sz.Network(seed=seed)
    net.add_population("n", "lif", 1)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=params["I"]), "n")
    return net


def test_resuming_a_sweep_needs_the_same_models(tmp_path, monkeypatch):
    """An experiment names registered models; a plugin release that changes one (here a comment added to
    the adex_cond model's equations stands for a change) makes the stored runs another sweep's."""
    out, grid = tmp_path / "sweep", {"projections.excitatory.weight": ["1 nS"]}
    experiment = Experiment.load("coba-adex-network", ["duration=20 ms"])
    sz.sweep(experiment, grid, executor="serial", out=out)
    sz.sweep(experiment, grid, executor="serial", out=out, resume=True)
    model = get_registry().model("adex_cond")
    monkeypatch.setattr(model, "equations_text", model.equations_text + "\n# changed")
    with pytest.raises(sz.SnnzooError, match="holds a different sweep .*with models whose equations or parameters "
                                             "have changed"):
        sz.sweep(experiment, grid, executor="serial", out=out, resume=True)


def test_resuming_a_build_function_sweep_needs_the_same_function_and_duration(tmp_path):
    out, grid = tmp_path / "sweep", {"I": [600] * u.pA}
    short = sz.sweep(_constant_current, grid, duration="20 ms", executor="serial", out=out)
    again = sz.sweep(_constant_current, grid, duration=0.02 * u.s, executor="serial", out=out, resume=True)
    xr.testing.assert_identical(short["total_spikes"], again["total_spikes"])
    with pytest.raises(sz.SnnzooError, match=r"holds a different sweep \(duration 0.02 s, not 0.2 s\)"):
        sz.sweep(_constant_current, grid, duration="200 ms", executor="serial", out=out, resume=True)

    def other_code(params, seed):
        return None

    other_code.__name__ = "_constant_current"  # the same name, another function
    with pytest.raises(sz.SnnzooError, match="another build function '_constant_current'"):
        sz.sweep(other_code, grid, duration="20 ms", executor="serial", out=out, resume=True)
    with pytest.raises(sz.SnnzooError, match="record mode 'summary', not 'spikes'"):
        sz.sweep(_constant_current, grid, duration="20 ms", record="spikes", executor="serial", out=out, resume=True)


def test_summaries_of_alike_runs_stack_with_numpy_exactly_as_xarray_concat_stacks_them(toml, monkeypatch):
    from snnzoo.sweeps import combine

    stacked = {}

    def both_ways(grid, parts, coords):  # compared as made (the sweep then adds its attributes to one of them)
        stacked["concat"] = combine._stack(grid, parts, coords, "minimal")
        made = stack_alike(grid, parts, coords)
        stacked["numpy"] = None if made is None else made.copy(deep=True)
        return made

    stack_alike = combine._stack_alike
    monkeypatch.setattr(combine, "_stack_alike", both_ways)
    sz.sweep(toml, {"sources.P.rate": ["20 Hz", "80 Hz"], "projections.drive.weight": ["2 nS", "6 nS"]}, seeds=2,
             executor="serial")
    assert stacked["numpy"] is not None
    xr.testing.assert_identical(stacked["numpy"], stacked["concat"])
    assert list(stacked["numpy"].variables) == list(stacked["concat"].variables)
    assert all(stacked["numpy"][name].dtype == stacked["concat"][name].dtype for name in stacked["numpy"].variables)


def test_a_run_makes_its_projections_only_when_the_sweep_keeps_them_or_a_check_reads_them(toml, tmp_path,
                                                                                           monkeypatch):
    """Projections are made for ``record="traces"`` and for an ``[[expected]]`` item naming a projection (its
    check gets the synapses); otherwise not. The run's file is the same either way: it holds them only for traces."""
    made = []
    result = Experiment.run

    def recording(self, *args, **kwargs):
        tree = result(self, *args, **kwargs)
        made.append("projections" in tree.children)
        return tree

    monkeypatch.setattr(Experiment, "run", recording)
    grid = {"sources.P.rate": ["20 Hz", "80 Hz"]}
    summary = sz.sweep(toml, grid, executor="serial", out=tmp_path / "summary")
    assert made == [False, False] and (summary["status"] == "ok").all()
    files = sorted((tmp_path / "summary" / "runs").iterdir())
    assert [sorted(open_result(path).children) for path in files] == [["G", "P", "summary"]] * 2
    made.clear()
    traces = sz.sweep(toml, grid, executor="serial", record="traces", out=tmp_path / "traces")
    assert made == [True, True] and "drive" in traces["projections"].children
    assert all("projections" in open_result(path).children for path in (tmp_path / "traces" / "runs").iterdir())

    counted = tmp_path / "counted.toml"
    counted.write_text(SPEC + '\n[[expected]]\ncheck = "synapse_count"\nprojection = "drive"\nvalue = 100\n'
                              'tolerance = 100\n')
    made.clear()
    checked = sz.sweep(str(counted), grid, seeds=[1], executor="serial")
    assert made == [True, True]
    single = Experiment.load(str(counted), ["sources.P.rate=80 Hz"]).run(seed=1)
    synapses = single["projections"]["drive"].dataset.sizes["synapse"]
    assert 0 < synapses and float(checked["check_value"].sel(P_rate=80, seed=1).isel(check=1)) == synapses
    assert (checked["check_passed"] == 1).all()


def test_a_run_file_made_from_its_groups_is_the_file_of_its_tree(toml, tmp_path):
    """The worker writes a run's file from its groups (no tree made for it): the same file as from the tree (the
    same layout, storage, attributes and values; not the same bytes: HDF5 stamps each object with the second it
    was written in)."""
    from test_result_storage import file_layout

    from snnzoo.results import netcdf_writer

    sz.sweep(toml, {"sources.P.rate": ["20 Hz", "80 Hz"]}, record="spikes", executor="serial", out=tmp_path / "s")
    for path in sorted((tmp_path / "s" / "runs").iterdir()):
        tree = open_result(path).load()
        groups = worker.result_groups(tree)
        assert list(groups) == [node.path for node in tree.subtree]
        plain = {name: ds.copy() for name, ds in groups.items()}  # as made, without the encoding read from the file
        for ds in plain.values():
            for var in ds.variables.values():
                var.encoding = {}
        made = netcdf_writer.netcdf_bytes(plain)
        assert made is not None
        assert file_layout(made) == file_layout(netcdf_writer.netcdf_bytes(xr.DataTree.from_dict(plain)))
        xr.testing.assert_identical(open_result(write_netcdf(xr.DataTree.from_dict(plain), tmp_path / "t.nc")),
                                    tree)


@pytest.mark.parametrize("table, message", [
    ('grid = { "sources.P.rate" = ["2 Hz"] }\nseeds = "a"', "[sweep]: seeds: expected a number of runs (>= 1)"),
    ('grid = { "sources.P.rate" = ["2 Hz"] }\nseeds = -1', "[sweep]: seeds: expected a whole number >= 1, got -1"),
    ('grid = { "sources.P.rate" = ["2 Hz"] }\nrecord = "bogus"', "[sweep]: record: expected one of summary, "),
    ('grid = { "sources.P.rate" = ["2 Hz", "2 Hz"] }', "[sweep]: grid sources.P.rate: the values '2 Hz' and '2 Hz'"),
    ('grid = { "sources.P.rate" = ["2 Hz"] }\nzip = 3', "[sweep]: zip: expected True, False or a list of groups"),
])
def test_a_bad_value_of_the_experiments_own_sweep_table_is_named_with_the_table(tmp_path, table, message):
    """It said only "seeds: expected ...", as if the caller had given the seeds."""
    path = tmp_path / "own.toml"
    path.write_text(SPEC + "\n[sweep]\n" + table + "\n")
    with pytest.raises(sz.SnnzooError) as error:
        sz.sweep(str(path), executor="serial")
    assert str(error.value).startswith("experiment 'own': [sweep]: ") and message in str(error.value)
    path.write_text(SPEC + '\n[sweep]\ngrid = { "sources.P.rate" = ["2 Hz"] }\nseeds = "a"\n')
    with pytest.raises(sz.SnnzooError, match=r"^seeds: expected a number of runs"):  # the caller's: no table named
        sz.sweep(str(path), seeds="b", executor="serial")


def test_open_results_of_a_failed_runs_file_says_it_holds_no_data(tmp_path):
    """It said that the file "holds groups ['/summary']" and that only results of one experiment stack."""
    sz.sweep(_fails_at_a_tiny_time_constant, {"tau_w": ["30 ms", "1e-30 ms"]}, duration="20 ms", executor="serial",
             out=tmp_path / "sweep")
    files = sorted((tmp_path / "sweep" / "runs").glob("*.nc"))
    assert len(files) == 2
    with pytest.raises(sz.SnnzooError, match=r"open_results: .*\.nc records a sweep's run that gave no data \(status "
                                             r"'failed': .*\); leave it out"):
        sz.open_results([str(path) for path in files], dim="run")


def test_a_sweep_whose_runs_would_not_fit_in_memory_is_refused_before_any_run(toml, tmp_path, monkeypatch):
    """A mistyped --seeds 100000000 made every run's experiment before the first run: about 7 kB each, the
    machine's memory for 10 million runs."""
    with pytest.raises(sz.SnnzooError, match=r"^seeds: 1,000,000,000,000 runs would take about .* GiB of memory "
                                             r"before the first run, more than the .* GiB allowed"):
        sz.sweep(toml, {"sources.P.rate": ["2 Hz"]}, seeds=10**12)
    monkeypatch.setenv("SNNZOO_MEMORY_LIMIT", "1 MiB")
    with pytest.raises(sz.SnnzooError, match=r"^grid and seeds: 1,000 runs would take about .* GiB of memory before "
                                             r"the first run, more than the 0.000977 GiB allowed \(SNNZOO_MEMORY_LIMIT\); "
                                             r"sweep fewer values or seeds"):
        sz.sweep(toml, {"sources.P.rate": ["2 Hz", "4 Hz"]}, seeds=500, out=tmp_path / "out")
    assert not (tmp_path / "out").exists()
    monkeypatch.delenv("SNNZOO_MEMORY_LIMIT")
    assert sz.sweep(toml, {"sources.P.rate": ["2 Hz"]}, seeds=2, executor="serial")["status"].size == 2


def test_grid_points_are_checked_by_the_workers_not_one_after_another_here(toml, tmp_path, monkeypatch):
    """Each point's network was built and validated in this process before any run: on a cluster the checks of a
    large grid took longer than its runs. Once the workers are up, this process builds no network at all."""
    executor = executors.LocalExecutor(2)
    try:
        sz.sweep(toml, {"duration": ["1 ms"]}, executor=executor)  # starts the workers
        monkeypatch.setattr(Experiment, "build", lambda *a, **k: pytest.fail("a network was built in this process"))
        result = sz.sweep(toml, {"sources.P.rate": ["20 Hz", "80 Hz"], "duration": ["5 ms"]}, executor=executor)
        assert result["status"].values.ravel().tolist() == ["ok", "ok"]
        with pytest.raises(sz.ConfigError, match=r"^grid point sources.P.rate = -5.0 Hz: experiment 'small': "
                                                 r"\[sources.P\]: source 'P' \(poisson_group\): rates must be"):
            sz.sweep(toml, {"sources.P.rate": ["20 Hz", "-5 Hz"]}, executor=executor, out=tmp_path / "out")
        assert not (tmp_path / "out").exists()
    finally:
        executor.close()


def _exit_now(task):
    os._exit(3)


def test_a_worker_that_dies_checking_a_grid_point_is_one_line(toml, tmp_path, monkeypatch):
    from snnzoo.sweeps import sweep as sweep_module

    monkeypatch.setattr(sweep_module, "check_point", _exit_now)
    with pytest.raises(sz.SnnzooError) as error:
        sz.sweep(toml, {"sources.P.rate": ["20 Hz", "80 Hz"]}, workers=1, out=tmp_path / "out")
    assert str(error.value) == ("checking the grid points: a worker process died (killed, out of memory or crashed)")
    assert not (tmp_path / "out").exists()


def test_a_sweep_whose_kept_spikes_would_not_fit_stops_at_its_first_runs_and_keeps_them(toml, tmp_path, monkeypatch):
    """record='spikes' holds every run's spikes until the end, and how many a run makes is only known once it
    has run: a long sweep used to run until the machine's memory was gone."""
    from snnzoo.sweeps import memory

    monkeypatch.setattr(memory, "memory_limit", lambda: (100_000, "a test's limit"))
    with pytest.raises(sz.ConfigError) as error:
        sz.sweep(toml, {"sources.P.rate": ["20 Hz", "80 Hz"]}, seeds=50, record="spikes", executor="serial",
                 out=tmp_path / "out")
    # the serial executor has run two runs when their outcomes are looked at (two tasks in flight per worker)
    assert re.fullmatch(r"record: the 2 runs so far keep, on average, 0\.0\d+ MiB, so all 100 runs would take about "
                        r"0\.00\d+ GiB of memory \(each run's, and the stacked result\), more than the 9\.31e-05 GiB "
                        r"allowed \(a test's limit\); record 'summary' \(spike counts and rates\), record less, or split "
                        r"the sweep; the 2 finished runs are stored in \S+out", str(error.value)), error.value
    assert sorted(path.name for path in (tmp_path / "out" / "runs").glob("*.nc")) == ["0-seed0.nc", "0-seed1.nc"]
    assert not (tmp_path / "out" / "sweep.nc").exists()


def test_a_sweep_whose_traces_would_not_fit_in_memory_is_refused_before_any_run(tmp_path, monkeypatch):
    """record='traces' holds every run's recordings until the end (and again stacked): a long sweep of a
    recorded network took the machine's memory after hours of runs."""
    path = tmp_path / "small.toml"
    path.write_text(SPEC + '\n[monitors.v]\npopulation = "G"\nvariables = ["v"]\n')
    monkeypatch.setenv("SNNZOO_MEMORY_LIMIT", "8 MiB")
    monkeypatch.setattr(worker, "run_task", lambda task: pytest.fail(f"run {task.key} ran"))
    grid = {"duration": ["5 s"]}  # 50 001 samples of 10 neurons: 4 MB a run
    with pytest.raises(sz.ConfigError) as error:
        sz.sweep(str(path), grid, seeds=2, record="traces", executor="serial", out=tmp_path / "out")
    assert re.fullmatch(r"record 'traces': the recordings of 2 runs would take about 0\.0149 GiB of memory \(each "
                        r"run's, and the stacked result\), more than the 0\.00781 GiB allowed \(SNNZOO_MEMORY_LIMIT\); "
                        r"record 'spikes' or 'summary', record fewer neurons or variables or at a lower rate, or "
                        r"split the sweep", str(error.value)), error.value
    assert not (tmp_path / "out").exists()
    monkeypatch.undo()
    monkeypatch.setenv("SNNZOO_MEMORY_LIMIT", "8 MiB")
    kept = sz.sweep(str(path), {"duration": ["50 ms"]}, seeds=2, record="traces", executor="serial")
    assert kept["G"]["v"].sizes["seed"] == 2


def test_more_local_workers_than_cores_warn_and_use_the_cores(tmp_path, capsys):
    """--workers 24 on two cores forked 24 processes that shared the cores and took memory, in silence."""
    from snnzoo.engine.simulation import available_cores

    cores = available_cores()
    with pytest.warns(UserWarning, match=rf"^workers = {cores + 3} is more than the {cores} cores here; using {cores}$"):
        assert executors.LocalExecutor(cores + 3).workers == cores
    assert main(["sweep", "lif-decay", "--grid", "populations.decay.size=1,2", "--workers", str(cores + 1), "-q",
                 "-o", str(tmp_path / "out")]) == 0
    assert f"snnzoo: warning: workers = {cores + 1} is more than the {cores} cores here; using {cores}" in capsys.readouterr().err


def test_a_runs_summary_from_its_arrays_is_what_the_analysis_of_its_groups_gives(tmp_path):
    """A run's summary reads the ISI CVs and spike totals from the run's arrays, not through the ``ds.snn``
    accessor: per neuron the same ISI CVs (NaN where it gives NaN), and the same totals, on a run with
    neurons of zero, one and many intervals."""
    path = tmp_path / "busy.toml"
    path.write_text(SPEC.replace('duration = "50 ms"', 'duration = "300 ms"'))
    tree = Experiment.load(str(path), ["sources.P.rate=16 Hz"]).run(seed=4)  # G: 0 to 7 spikes a neuron
    group = tree["G"].to_dataset()
    expected = group.snn.isi_cv().values
    counts = group["spike_count"].values
    assert (counts >= 3).any() and (counts < 3).any()  # values and NaN both compared
    cvs = worker.isi_cvs(tree)
    assert list(cvs) == ["G", "P"] and cvs["G"].dtype == expected.dtype
    np.testing.assert_array_equal(cvs["G"], expected)
    np.testing.assert_array_equal(cvs["P"], tree["P"].to_dataset().snn.isi_cv().values)
    summary = xr.Dataset(worker.summarize(tree, [], cvs, status="ok"))
    for name in ("G", "P"):
        run = summary.sel(population=name)
        alone = tree[name].to_dataset()
        assert int(run["total_spikes"]) == int(alone["spike_count"].sum())
        assert float(run["isi_cv"]) == float(alone.snn.isi_cv().mean())


def test_a_run_file_records_its_settings_as_data_whether_it_failed_or_not(toml, tmp_path, monkeypatch):
    """A build function's settings were kept as texts ('10 ms'), and a failed run of an experiment also
    had them, as texts, where an ok run has its experiment's spec alone."""
    def build(params, seed):
        net = sz.Network(dt=0.1 * u.ms, seed=seed)
        net.add_population("p", "lif", 2, parameters={"tau_m": params["tau"]})
        return net

    sz.sweep(build, {"tau": ["10 ms", "-1 ms"]}, duration="5 ms", executor="serial", out=tmp_path / "built")
    for key, tau in (("0-seed0", 10.0), ("1-seed0", -1.0)):
        recorded = provenance(open_result(tmp_path / "built" / "runs" / f"{key}.nc"))
        assert recorded["sweep_settings"] == {"tau": {"value": tau, "unit": "ms"}} and recorded["sweep_seed"] == 0
    run = Experiment.run

    def fails_at_80_hz(experiment, **kwargs):
        if experiment.spec["sources"]["P"]["rate"] in ("80 Hz", "80.0 Hz"):
            raise sz.SimulationError("the state became NaN")
        return run(experiment, **kwargs)

    monkeypatch.setattr(Experiment, "run", fails_at_80_hz)
    summary = sz.sweep(toml, {"sources.P.rate": ["20 Hz", "80 Hz"]}, executor="serial", out=tmp_path / "file")
    assert summary["status"].values.ravel().tolist() == ["ok", "failed"]
    files = sorted((tmp_path / "file" / "runs").glob("*.nc"))
    assert len(files) == 2
    for file in files:
        recorded = provenance(open_result(file))
        assert "experiment_spec" in recorded and "sweep_settings" not in recorded

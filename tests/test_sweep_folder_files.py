"""A sweep's folder holds what the sweep wrote: ``snnzoo rerun`` of one of its runs writes outside ``runs/``,
no command writes into ``runs/`` or over ``sweep.nc``, and a file there that is not named like a run is no
run (docs/bad-input.md, "output that cannot be written")."""

from __future__ import annotations

import shutil

import pytest

import snnzoo as sz
from snnzoo.cli import main
from snnzoo.results.tree import open_result
from snnzoo.sweeps.grid import make_grid

SPEC = """
title = "two neurons"
dt = "0.1 ms"
duration = "20 ms"
seed = 1

[populations.G]
model = "lif"
size = 2

[stimuli.drive]
type = "constant_current"
population = "G"
amplitude = "300 pA"
"""
GRID = {"stimuli.drive.amplitude": ["300 pA", "500 pA"]}


@pytest.fixture
def sweep_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "two.toml").write_text(SPEC)
    sz.sweep("two.toml", GRID, seeds=2, executor="serial", record="spikes", out="OUT")
    return tmp_path / "OUT"


def test_rerun_of_a_sweeps_run_writes_into_reruns_and_leaves_the_runs_alone(sweep_folder, capsys):
    """It wrote OUT/runs/0-seed1-rerun.nc: open_results("OUT/runs/0-seed*.nc") then stacked the rerun with the
    runs, and 'already holds this sweep (5 runs done)' counted it."""
    runs = sorted(path.name for path in (sweep_folder / "runs").iterdir())
    assert main(["rerun", "OUT/runs/0-seed1.nc", "-q"]) == 0
    assert "wrote OUT/reruns/0-seed1-rerun.nc" in capsys.readouterr().out
    assert sorted(path.name for path in (sweep_folder / "runs").iterdir()) == runs
    assert (sweep_folder / "reruns" / "0-seed1-rerun.nc").is_file()
    assert sz.open_results("OUT/runs/0-seed*.nc").sizes["seed"] == 2
    assert main(["sweep", "two.toml", "--grid", "stimuli.drive.amplitude=300,500 pA", "--seeds", "2",
                 "--record", "spikes", "--workers", "1", "-q", "-o", "OUT"]) == 2
    assert "already holds this sweep (4 runs done)" in capsys.readouterr().err


def test_a_file_in_runs_not_named_like_a_run_is_no_run(sweep_folder, capsys):
    shutil.copy(sweep_folder / "runs" / "0-seed1.nc", sweep_folder / "runs" / "copy of 0-seed1.nc")
    with pytest.raises(sz.SnnzooError, match=r"already holds this sweep \(4 runs done\)"):
        sz.sweep("two.toml", GRID, seeds=2, executor="serial", record="spikes", out="OUT")
    resumed = sz.sweep("two.toml", GRID, seeds=2, executor="serial", record="spikes", out="OUT", resume=True)
    assert (resumed.to_dataset()["status"] == "ok").all()


@pytest.mark.parametrize("command", [
    ["rerun", "OUT/runs/0-seed1.nc", "-o", "OUT/runs/mine.nc"],
    ["rerun", "OUT/runs/0-seed1.nc", "-o", "OUT/runs/1-seed0.nc"],  # another run of the sweep
    ["rerun", "OUT/runs/0-seed1.nc", "-o", "OUT/sweep.nc"],
    ["run", "two.toml", "-o", "OUT/runs/mine.nc"],
    ["run", "two.toml", "-o", "mine.nc", "--figure", "OUT/runs/mine.png"],
])
def test_no_command_writes_into_a_sweeps_runs_or_over_its_combined_result(sweep_folder, capsys, command):
    before = {path: path.read_bytes() for path in sweep_folder.rglob("*") if path.is_file()}
    assert main([*command, "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"snnzoo: error: {command[-2]} {command[-1]}: ") and err.count("\n") == 1
    assert "write the file elsewhere" in err
    assert {path: path.read_bytes() for path in sweep_folder.rglob("*") if path.is_file()} == before
    assert not (sweep_folder / "reruns").exists() and not (sweep_folder.parent / "mine.nc").exists()


@pytest.mark.parametrize("output", ["OUT/runs/sub", "OUT/runs", "OUT/runs/sub/../../runs/deeper/still"])
def test_no_sweep_writes_into_another_sweeps_runs(sweep_folder, capsys, output):
    """-o OUT/runs/sub made a sweep folder among OUT's runs."""
    before = sorted(sweep_folder.rglob("*"))
    assert main(["sweep", "two.toml", "--grid", "stimuli.drive.amplitude=300 pA", "--workers", "1", "-q",
                 "-o", output]) == 2
    assert capsys.readouterr().err == (f"snnzoo: error: output {output}: {sweep_folder / 'runs'} holds the runs of "
                                       f"the sweep in {sweep_folder} alone; write the sweep elsewhere\n")
    assert sorted(sweep_folder.rglob("*")) == before


def test_no_result_is_written_into_a_folder_in_a_sweeps_runs(sweep_folder, capsys):
    (sweep_folder / "runs" / "mine").mkdir()
    assert main(["run", "two.toml", "-q", "-o", "OUT/runs/mine/mine.nc"]) == 2
    assert capsys.readouterr().err.endswith(f"holds the runs of the sweep in {sweep_folder} alone; write the file "
                                            "elsewhere\n")
    assert not any((sweep_folder / "runs" / "mine").iterdir())


def test_a_rerun_that_fails_leaves_no_reruns_folder(sweep_folder, capsys, monkeypatch):
    """A failed run's rerun (it diverges again) exited 2 and left an empty OUT/reruns/."""
    from snnzoo.catalog.experiment import Experiment

    def diverges(self, **kwargs):
        raise sz.SnnzooError("population 'G': variable v became inf")

    monkeypatch.setattr(Experiment, "run", diverges)
    assert main(["rerun", "OUT/runs/0-seed1.nc", "-q"]) == 2
    assert "variable v became inf" in capsys.readouterr().err
    assert not (sweep_folder / "reruns").exists()


def test_rerun_elsewhere_and_its_edge_cases(sweep_folder, capsys):
    assert main(["rerun", "OUT/runs/0-seed1.nc", "-q", "-o", "OUT/mine.nc"]) == 0  # the folder, not its runs
    assert main(["rerun", "OUT/runs/0-seed1.nc", "-q", "-o", "OUT/runs/../runs/0-seed1.nc"]) == 2
    assert "choose another file than the result being rerun" in capsys.readouterr().err
    assert main(["rerun", "OUT/runs/0-seed1.nc", "-q", "-o", "OUT/runs"]) == 2
    assert "it is a folder" in capsys.readouterr().err


def test_every_run_key_is_named_like_a_run():
    from snnzoo.catalog.experiment import Experiment
    from snnzoo.sweeps.store import RUN_KEY

    spec = Experiment.load("fi-curve").spec
    for grid, seeds in (({"stimuli.lif_input.amplitude": ["100 pA", "200 pA"]}, 2),
                        ({"stimuli.lif_input.amplitude": ["100 pA"], "duration": ["1 s", "2 s"]}, [7, 12])):
        keys = [run.key for run in make_grid(spec, grid, False, seeds).runs()]
        assert keys and all(RUN_KEY.fullmatch(key) for key in keys)
    assert not any(RUN_KEY.fullmatch(name) for name in ("0-seed1-rerun", "copy of 0-seed1", "seed", "0-seed"))


def test_a_sweep_folder_named_like_a_file_is_refused(tmp_path, monkeypatch, capsys):
    """'snnzoo sweep ... -o out.nc' made a folder called out.nc, which a user then opened as a file."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "two.toml").write_text(SPEC)
    assert main(["sweep", "two.toml", "--grid", "stimuli.drive.amplitude=300 pA", "--workers", "1", "-q",
                 "-o", "out.nc"]) == 2
    assert capsys.readouterr().err == ("snnzoo: error: output out.nc: a sweep writes a folder (one file per run in "
                                       "runs/, and sweep.nc), not a file; give a folder's name, e.g. out\n")
    assert not (tmp_path / "out.nc").exists()


def test_opening_a_sweep_folder_as_a_result_points_to_its_files(sweep_folder):
    for opened in (open_result, sz.open_results):
        with pytest.raises(sz.SnnzooError) as error:
            opened("OUT")
        assert str(error.value) == ("cannot open result OUT: it is a sweep's folder; OUT/sweep.nc holds all its "
                                    "runs (xarray.open_datatree, or open_dataset for per-run summaries), and "
                                    "open_results('OUT/runs/*.nc', dim='run') stacks its run files")
    assert sz.open_results("OUT/runs/*.nc", dim="run").sizes["run"] == 4  # as the message says


def test_grid_values_nested_too_deeply_are_one_line(tmp_path):
    """tomllib reads nested arrays by recursion: Python's RecursionError was an internal error."""
    (tmp_path / "two.toml").write_text(SPEC)
    for values in ("[" * 5000 + "]" * 5000, "1, " + "[" * 5000 + "]" * 5000):
        with pytest.raises(sz.ConfigError, match=r"^grid stimuli.drive.amplitude: the value's arrays are nested "
                                                 r"too deeply to read$"):
            sz.sweep(str(tmp_path / "two.toml"), {"stimuli.drive.amplitude": values}, executor="serial")

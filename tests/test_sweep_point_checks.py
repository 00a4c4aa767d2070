"""A sweep's own checks (``[[sweep.expected]]``): expressions of the grid's values and ``at``, worked out at each
point and checked in each run; ``checks=False`` and ``--no-check``; bad items refused before any run."""

from __future__ import annotations

import json
import math
import re

import pytest
import xarray as xr

import snnzoo as sz
from snnzoo.catalog.experiment import Experiment
from snnzoo.cli import main
from snnzoo.errors import SnnzooError
from snnzoo.sweeps.point_checks import PointChecks

SPEC = """
dt = "0.1 ms"
duration = "100 ms"
seed = 3

[populations.G]
model = "lif"
size = 2

[stimuli.drive]
type = "constant_current"
population = "G"
amplitude = "300 pA"

[[expected]]
check = "mean_rate"
population = "G"
value = "40 Hz"
tolerance = "1 Hz"

[sweep]
grid = { "stimuli.drive.amplitude" = ["100 pA", "300 pA"] }
"""

ITEM = """
[[sweep.expected]]
check = "mean_rate"
population = "G"
"""


def _experiment(tmp_path, *items: str) -> Experiment:
    path = tmp_path / "drive.toml"
    path.write_text(SPEC + "".join(ITEM + item for item in items))
    return Experiment.load(str(path))


def _lif_rate(amplitude: float) -> float:
    """The fi-curve LIF neuron's closed-form rate (Hz) at ``amplitude`` (A), as its TOML file gives it."""
    drive = 100e6 * amplitude
    return 0.0 if drive <= 0.020 else 1 / (0.002 + 0.020 * math.log(drive / (drive - 0.020)))


def test_fi_curve_checks_every_point_against_the_closed_form():
    experiment = Experiment.load("fi-curve")
    checks = PointChecks(experiment.spec, "fi-curve")
    for amplitude in (0.0, 190.0, 210.0, 400.0, 800.0):
        setting = f"{amplitude!r} pA"
        items, labels = checks.at_point({"stimuli.lif_input.amplitude": setting,
                                         "stimuli.adex_input.amplitude": setting})
        assert [item["check"] for item in items] == ["mean_rate", "mean_rate"]
        value, unit = items[0]["value"].split()
        assert unit == "Hz" and float(value) == pytest.approx(_lif_rate(amplitude * 1e-12), rel=1e-12)
        assert items[1]["min"] == ("1.0 Hz" if amplitude >= 250 else "0.0 Hz")
        assert labels == checks.labels  # one name per item, whatever the point
    result = sz.sweep("fi-curve", executor="serial")
    assert result["check"].size == 2 and "lif_input_amplitude" in result["check"].values[0]
    assert int(result["check_passed"].sum()) == result["check_passed"].size == 22


def test_fi_curve_figure_draws_the_closed_form_under_the_lif_rates():
    from snnzoo.sweeps.figure import expected_lines, sweep_figure

    experiment = Experiment.load("fi-curve")
    summary = sz.sweep(experiment, executor="serial")
    figure_spec = experiment.spec["sweep"]["figure"]
    lines = expected_lines(experiment.spec, figure_spec)
    assert list(lines) == ["lif"]  # the adex item gives a bound, not a value
    drawn = {line.get_label(): line for line in sweep_figure(summary, figure_spec, expected=lines).axes[0].lines}
    closed_form = [_lif_rate(amplitude * 1e-12) for amplitude in summary["lif_input_amplitude"].values]
    assert drawn["lif: expected"].get_ydata() == pytest.approx(closed_form, rel=1e-12)
    assert "lif: expected" not in {line.get_label() for line in sweep_figure(summary, figure_spec).axes[0].lines}


def test_a_sweep_over_other_paths_reads_the_experiments_values():
    checks = PointChecks(Experiment.load("fi-curve").spec, "fi-curve")
    items, _ = checks.at_point({"duration": "1 s"})  # the currents stay at the file's 400 pA
    assert float(items[0]["value"].split()[0]) == pytest.approx(_lif_rate(400e-12), rel=1e-12)


def test_at_limits_a_check_to_its_points():
    checks = PointChecks(Experiment.load("ei-network-rates").spec, "ei-network-rates")
    assert [item["population"] for item in checks.at_point({"sources.afferents.rate": "10.0 Hz"})[0]] == ["E", "I"]
    assert checks.at_point({"sources.afferents.rate": "8.0 Hz"}) == ([], [])
    assert len(checks.at_point({})[0]) == 2  # not swept: the file's own 10 Hz


@pytest.mark.parametrize("at", ['["100 pA", "0.3 nA"]', '{ values = [100, 300], unit = "pA" }', '"100, 300 pA"'])
def test_at_may_list_several_points(tmp_path, at):
    """A list was "internal error: ValueError: The truth value of an array ... is ambiguous"; the text
    "100, 300 pA" was refused advising a list in brackets."""
    checks = PointChecks(_experiment(tmp_path, f'min = "1 Hz"\nat = {{ drive_amplitude = {at} }}\n').spec, "drive")
    assert len(checks.at_point({"stimuli.drive.amplitude": "100.0 pA"})[0]) == 1
    assert len(checks.at_point({"stimuli.drive.amplitude": "300.0 pA"})[0]) == 1
    one = PointChecks(_experiment(tmp_path, 'min = "1 Hz"\nat = { drive_amplitude = ["300 pA"] }\n').spec, "drive")
    assert one.at_point({"stimuli.drive.amplitude": "100.0 pA"}) == ([], [])


def test_sweep_expected_replace_expected_in_the_runs_and_checks_false_drops_both(tmp_path):
    experiment = _experiment(tmp_path, 'min = "1 Hz"\nat = { drive_amplitude = "300 pA" }\n')
    result = sz.sweep(experiment, executor="serial", out=str(tmp_path / "out"))
    passed = result["check_passed"].squeeze(["seed", "check"])
    # the file's [[expected]] (40 Hz) is gone; the sweep's item applies at 300 pA only
    assert result["check"].values.tolist() == ['mean_rate (population=G) >= 1 Hz at drive_amplitude = 300 pA']
    assert math.isnan(float(passed.sel(drive_amplitude=100.0))) and int(passed.sel(drive_amplitude=300.0)) == 1
    run = xr.open_datatree(tmp_path / "out" / "runs" / "1-seed3.nc")
    assert json.loads(run.attrs["experiment_spec"])["expected"] == [
        {"check": "mean_rate", "population": "G", "min": "1 Hz"}]
    unchecked = sz.sweep(experiment, executor="serial", checks=False)
    assert "check" not in unchecked and "check_passed" not in unchecked


def test_cli_table_shows_checks_where_they_apply_and_no_check_drops_them(tmp_path, capsys):
    path = tmp_path / "drive.toml"
    path.write_text(SPEC + ITEM + 'min = "1 Hz"\nat = { drive_amplitude = "300 pA" }\n')
    assert main(["sweep", str(path), "--workers", "1", "-q", "-o", str(tmp_path / "a")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "checks " not in next(line for line in lines if "drive_amplitude = 100 pA" in line)
    assert "checks 1/1" in next(line for line in lines if "drive_amplitude = 300 pA" in line)
    assert main(["sweep", str(path), "--workers", "1", "-q", "--no-check", "-o", str(tmp_path / "b")]) == 0
    assert not re.search(r"checks \d", capsys.readouterr().out)


def test_cli_table_names_a_failed_check_with_what_was_found_and_expected(tmp_path, capsys):
    path = tmp_path / "drive.toml"
    path.write_text(SPEC + ITEM + 'value = "drive_amplitude * Hz / pA"\ntolerance = "1 Hz"\n')
    assert main(["sweep", str(path), "--workers", "1", "-q", "-o", str(tmp_path / "a")]) == 1  # as snnzoo run
    table = capsys.readouterr().out
    found = float(xr.open_dataset(tmp_path / "a" / "sweep.nc")["check_value"].sel(drive_amplitude=100.0).item())
    assert (f"drive_amplitude = 100 pA  ok 1/1  G {found:.3g} ± 0 Hz  checks 0/1  FAILED mean_rate (population=G) = "
            f"drive_amplitude * Hz / pA ± 1 Hz: found {found:.4g}, expected 100\n") in table


@pytest.mark.parametrize("item, message", [
    ('value = "drive_amplitude"\n', "[[sweep.expected]] #1: value: 'drive_amplitude' is in pA [current] but a "
                                    "mean_rate check is in Hz [frequency]"),
    ('value = "drive_rate * Hz"\n', "undefined symbol 'drive_rate'"),
    ('min = "1 Hz"\nat = { drive_amplitud = "300 pA" }\n',
     "[[sweep.expected]] #1: at: unknown grid value 'drive_amplitud'; did you mean 'drive_amplitude'"),
    ('min = "1 Hz"\nat = { drive_amplitude = "3000 pA" }\n',  # the check was left out of every run, in silence
     "[[sweep.expected]] #1: at: drive_amplitude: '3000 pA' is not a value of the [sweep] grid (100.0, 300.0 pA)"),
    ('min = "1 Hz"\nat = { drive_amplitude = ["300 pA", "200 pA"] }\n', "'200 pA' is not a value of the [sweep]"),
    ('min = "1 Hz"\nat = { drive_amplitude = "300 mV" }\n', "at: drive_amplitude"),
    ('value = "Hz / (drive_amplitude - 100*pA) * pA"\n', "is inf at drive_amplitude = 100.0 pA"),
    ('min = "1 Hz"\nat = "300 pA"\n', "'at' must be a table"),
    ('min = "1 Hz"\nneuron_count = 3\n', "unknown key 'neuron_count'"),
    ('min = "1 Hz"\n' + ITEM + 'min = "1 Hz"\n', "[[sweep.expected]] #2: repeats [[sweep.expected]] #1"),
])
def test_bad_sweep_checks_are_one_line_before_any_run(tmp_path, item, message):
    with pytest.raises(SnnzooError) as error:  # loading the file, or starting the sweep
        sz.sweep(_experiment(tmp_path, item), executor="serial", out=str(tmp_path / "out"))
    assert message in str(error.value) and "\n" not in str(error.value)
    assert not (tmp_path / "out").exists()


def test_a_bad_sweep_check_found_at_a_point_is_named_as_in_the_file(tmp_path):
    """It was named as the run's own item: "[[expected]] #1 (mean_rate): unknown population 'Q'"."""
    path = tmp_path / "drive.toml"
    path.write_text(SPEC + ITEM + 'min = "1 Hz"\nat = { drive_amplitude = "300 pA" }\n'
                    + ITEM.replace('"G"', '"Q"') + 'min = "1 Hz"\n')
    with pytest.raises(SnnzooError, match=r"^grid point stimuli.drive.amplitude = 100.0 pA: experiment 'drive': "
                                          r"\[\[sweep.expected\]\] #2 \(mean_rate\): unknown population 'Q'"):
        sz.sweep(str(path), executor="serial")


def test_sweep_expected_needs_the_sweep_grid(tmp_path):
    path = tmp_path / "drive.toml"
    path.write_text(SPEC.replace('grid = { "stimuli.drive.amplitude" = ["100 pA", "300 pA"] }', "seeds = 1")
                    + ITEM + 'value = "drive_amplitude * Hz / pA"\n')
    with pytest.raises(SnnzooError, match=r"\[\[sweep.expected\]\] reads the values of the \[sweep\] grid"):
        sz.sweep(Experiment.load(str(path)), {"stimuli.drive.amplitude": ["1 nA"]}, executor="serial")


def test_info_lists_an_experiments_checks_and_its_sweep(capsys):
    assert main(["info", "ei-network-rates"]) == 0
    out = capsys.readouterr().out
    assert "Checks of a run: mean_rate (population=E) = 2.4 Hz ± 0.8 Hz\n" in out
    assert "Sweep (snnzoo sweep ei-network-rates -o OUT): sources.afferents.rate = 2, 4, 6, 8, 10, 12, 14 Hz; " \
           "seeds 4\n" in out
    assert "Checks of a sweep's run: mean_rate (population=E) = 2.4 Hz ± 0.8 Hz at afferents_rate = 10 Hz\n" in out


def test_checks_false_is_the_same_sweep_for_an_experiment_without_checks(tmp_path):
    path = tmp_path / "plain.toml"
    path.write_text(SPEC.split("[[expected]]")[0] + '[sweep]\ngrid = { "stimuli.drive.amplitude" = ["100 pA"] }\n')
    sz.sweep(str(path), executor="serial", checks=False, out=str(tmp_path / "out"))
    resumed = sz.sweep(str(path), executor="serial", out=str(tmp_path / "out"), resume=True)  # not another sweep
    assert resumed["status"].values.ravel().tolist() == ["ok"]

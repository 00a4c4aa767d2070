"""The top-level catalog's sweep experiments: the f-I curve against the LIF closed form, and the E/I network's
rates over the afferent rate (small versions, to keep CI short)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.catalog.experiment import Experiment
from snnzoo.cli import main
from snnzoo.sweeps.figure import sweep_figure


def lif_rate(current: np.ndarray, tau=20e-3, R=100e6, threshold_gap=20e-3, refractory=2e-3) -> np.ndarray:
    """The closed-form rate of the catalog's LIF neuron (reset to EL) under a constant current."""
    drive = R * current
    with np.errstate(divide="ignore", invalid="ignore"):
        period = refractory + tau * np.log(drive / (drive - threshold_gap))
    return np.where(drive > threshold_gap, 1 / period, 0.0)


def test_fi_curve_matches_the_lif_closed_form_and_adex_adapts():
    currents = np.array([150.0, 210.0, 300.0, 400.0, 800.0])
    result = sz.sweep("fi-curve", {"stimuli.lif_input.amplitude": currents * u.pA,
                                   "stimuli.adex_input.amplitude": currents * u.pA}, zip=True, executor="serial")
    assert result["lif_input_amplitude"].attrs["units"] == "pA"
    lif = result["mean_rate"].sel(population="lif").isel(seed=0).values
    expected = lif_rate(currents * 1e-12)
    # counting spikes in 2 s: within one spike (0.5 Hz) plus the 0.05 ms grid's share of the period
    np.testing.assert_allclose(lif, expected, atol=0.5, rtol=0.01)
    adex = result["mean_rate"].sel(population="adex").isel(seed=0).values
    assert adex[0] == 0 and adex[1] == 0 and np.all(np.diff(adex[1:]) > 0)


def test_fi_curve_cli_uses_the_experiments_sweep_table_and_draws_the_figure(tmp_path, capsys):
    assert main(["sweep", "fi-curve", "--workers", "1", "-q", "-o", str(tmp_path / "fi")]) == 0
    out = capsys.readouterr().out
    assert "11 runs (11 x 1): 11 ok" in out
    assert (tmp_path / "fi" / "sweep.png").read_bytes()[:4] == b"\x89PNG"


def test_ei_network_rates_grow_with_the_afferent_rate_with_error_bars_over_seeds():
    experiment = Experiment.load("ei-network-rates", ["duration=300 ms", "populations.E.size=800",
                                                      "populations.I.size=200"])
    result = sz.sweep(experiment, {"sources.afferents.rate": [4, 16] * u.Hz}, seeds=2, executor="serial")
    rates = result["mean_rate"].sel(population=["E", "I"]).mean("seed")
    assert (rates.sel({"afferents_rate": 16}) > rates.sel({"afferents_rate": 4})).all()
    figure = sweep_figure(result, experiment.spec["sweep"]["figure"], experiment.title)
    ax = figure.axes[0]
    assert len(ax.containers) == 2  # one errorbar line (mean and sd over seeds) per population
    assert ax.get_xlabel() == "rate of each afferent Poisson source (Hz)"
    with pytest.raises(sz.ConfigError, match="x must be one of the swept axes"):
        sweep_figure(result, {"x": "rate"})


@pytest.mark.parametrize("figure, fragment", [
    ('x = "G_size"', "x must be one of the swept axes ['duration'], got 'G_size'"),
    ('x = "duration"\nvariable = "rate"', "variable must be one of mean_rate, total_spikes, isi_cv, got 'rate'"),
    ('x = "duration"\npopulations = ["H"]', "unknown population 'H' (populations: G)"),
])
def test_a_sweep_figure_that_cannot_be_drawn_is_refused_before_the_runs(tmp_path, capsys, figure, fragment):
    toml = tmp_path / "e.toml"
    toml.write_text('dt = "0.1 ms"\nduration = "5 ms"\n[populations.G]\nmodel = "lif"\nsize = 2\n'
                    f'[sweep]\ngrid = {{ duration = ["2 ms", "4 ms"] }}\n[sweep.figure]\n{figure}\n')
    assert main(["sweep", str(toml), "--workers", "1", "-q", "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and fragment in err, err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("grid, drawn", [("duration=2,4 ms", True), ("populations.G.size=1,2", False)])
def test_a_grid_on_the_command_line_keeps_the_sweep_figure_while_it_has_its_x_axis(tmp_path, capsys, grid, drawn):
    """--grid dropped the file's [sweep.figure] silently; now it is drawn while the grid has its x, else a warning."""
    toml = tmp_path / "e.toml"
    toml.write_text('dt = "0.1 ms"\nduration = "5 ms"\n[populations.G]\nmodel = "lif"\nsize = 2\n'
                    '[sweep]\ngrid = { duration = ["2 ms", "4 ms"] }\n[sweep.figure]\nx = "duration"\n')
    assert main(["sweep", str(toml), "--grid", grid, "--workers", "1", "-q", "-o", str(tmp_path / "out")]) == 0
    out, err = capsys.readouterr()
    assert (tmp_path / "out" / "sweep.png").exists() == drawn
    assert ("sweep.png" in out) == drawn
    assert err == ("" if drawn else "snnzoo: warning: the experiment's [sweep.figure] is not drawn: its x 'duration' "
                                    "is not one of the --grid axes ['G_size']\n")


def test_a_sweep_without_a_grid_runs_the_experiments_own_sweep_table(tmp_path):
    """``sweep(experiment)`` runs the file's [sweep] grid, zip, seeds and record, as ``snnzoo sweep NAME`` does;
    what is given replaces the file's."""
    toml = tmp_path / "e.toml"
    toml.write_text('dt = "0.1 ms"\nduration = "5 ms"\n[populations.G]\nmodel = "lif"\nsize = 2\n'
                    '[sweep]\ngrid = { duration = ["2 ms", "4 ms"], dt = ["0.1 ms", "0.05 ms"] }\nzip = true\n'
                    'seeds = [4, 7]\nrecord = "spikes"\n')
    own = sz.sweep(str(toml), executor="serial")
    assert isinstance(own, xr.DataTree)  # the file's record = "spikes"
    summary = own.to_dataset()
    assert dict(summary["status"].sizes) == {"duration": 2, "seed": 2}  # zipped: duration and dt vary together
    assert summary["seed"].values.tolist() == [4, 7]
    assert summary["dt"].values.tolist() == [0.1, 0.05]
    given = sz.sweep(str(toml), {"duration": ["3 ms"]}, seeds=1, record="summary", executor="serial")
    assert isinstance(given, xr.Dataset) and dict(given["status"].sizes) == {"duration": 1, "seed": 1}


def test_a_sweep_without_a_grid_of_an_experiment_without_one_is_refused():
    with pytest.raises(sz.ConfigError, match="grid: experiment 'lif-decay' has no \\[sweep\\] grid of its own; give one"):
        sz.sweep("lif-decay", executor="serial")

"""Spike statistics, rates, synaptic currents and plots of hand-made population groups."""

from __future__ import annotations

import numpy as np
import pint
import pytest
import xarray as xr
from matplotlib.figure import Figure

from snnzoo.results import plotting
from snnzoo.errors import ConfigError, UnitError
from snnzoo.results.recording import PopulationRecord, StateRecord
from snnzoo.results.tree import build_result

ureg = pint.get_application_registry()
DURATION = 0.05


def group(spike_times, spike_neurons, size, states=(), duration=DURATION) -> xr.Dataset:
    population = PopulationRecord("P", size, np.asarray(spike_times, float), np.asarray(spike_neurons), list(states))
    return build_result([population], {}, duration=duration)["P"].to_dataset()


@pytest.fixture
def small() -> xr.Dataset:
    # neuron 0: 0.001, 0.012, 0.031; neuron 1: 0.011; neuron 2 silent
    return group([0.012, 0.001, 0.011, 0.031], [0, 0, 1, 0], size=3)


@pytest.fixture
def recorded() -> xr.Dataset:
    times = np.arange(50) * 1e-3
    voltage = np.column_stack([np.linspace(-0.07, -0.05, 50), np.full(50, -0.065)])
    conductance = {"ge": np.full((50, 2), 10e-9), "gi": np.full((50, 2), 5e-9)}
    units = {"v": "V", "ge": "S", "gi": "S"}
    state = StateRecord("soma", np.array([0, 1]), times, {"v": voltage, **conductance}, units)
    return group([0.010, 0.030, 0.020], [0, 0, 1], size=2, states=[state])


def test_spike_trains_counts_and_first_spikes(small):
    trains = small.snn.spike_trains()
    assert list(trains) == [0, 1, 2]
    np.testing.assert_array_equal(trains[0], [0.001, 0.012, 0.031])
    assert trains[2].size == 0
    assert small.snn.spike_counts().values.tolist() == [3, 1, 0]
    np.testing.assert_array_equal(small.snn.first_spike_time(), [0.001, 0.011, np.nan])


def test_a_population_of_no_neurons_has_no_spike_trains():
    assert group([], [], size=0).snn.spike_trains() == {}  # it gave neuron 0 an empty train


def test_mean_rates_over_whole_run_and_window(small):
    rates = small.snn.mean_rates()
    assert rates.dims == ("cell",) and rates.attrs["units"] == "Hz"
    np.testing.assert_allclose(rates, [3 / DURATION, 1 / DURATION, 0])
    np.testing.assert_allclose(small.snn.mean_rates(start=10 * ureg.ms, stop=20 * ureg.ms), [100, 100, 0])


def test_a_spike_on_a_window_edge_counts_in_the_window_it_starts():
    # the engine's spike times are steps * dt: 49 * 1e-4 s lies just below 4.9 ms as pint converts it
    ds = group(np.array([49, 98]) * 1e-4, [0, 1], size=2)
    window = 4.9 * ureg.ms
    np.testing.assert_allclose(ds.snn.mean_rates(start=window, stop=2 * window), [1 / 0.0049, 0])
    np.testing.assert_allclose(ds.snn.mean_rates(stop=window), [0, 0])
    np.testing.assert_allclose(ds.snn.population_rate(window, stop=3 * window) * 2 * 0.0049, [0, 1, 1])


def test_population_rate_matches_hand_count(small):
    rate = small.snn.population_rate(10 * ureg.ms)
    # bins [0,10) [10,20) [20,30) [30,40) [40,50) ms hold 1, 2, 0, 1, 0 spikes of 3 neurons
    np.testing.assert_allclose(rate, np.array([1, 2, 0, 1, 0]) / (3 * 0.01))
    np.testing.assert_allclose(rate["time_bin"], [0.005, 0.015, 0.025, 0.035, 0.045])
    assert rate.attrs["units"] == "Hz" and rate["time_bin"].attrs["units"] == "s"
    window = small.snn.population_rate(5 * ureg.ms, start=10 * ureg.ms, stop=20 * ureg.ms)
    np.testing.assert_allclose(window, np.array([2, 0]) / (3 * 0.005))


def test_smoothing_keeps_the_spike_count():
    rng = np.random.default_rng(1)
    ds = group(np.sort(rng.uniform(0, 1, 500)), rng.integers(0, 10, 500), size=10, duration=1.0)
    raw = ds.snn.population_rate(1 * ureg.ms)
    smooth = ds.snn.population_rate(1 * ureg.ms, smooth=20 * ureg.ms)
    assert smooth.std() < raw.std()
    np.testing.assert_allclose(smooth.sum(), raw.sum())


def test_isi_cv_regular_poisson_and_too_few_spikes():
    rng = np.random.default_rng(7)
    regular = np.arange(1, 201) * 0.01
    poisson = np.cumsum(rng.exponential(0.01, 4000))
    times = np.concatenate([regular, poisson, [0.5, 0.7]])
    neurons = np.repeat([0, 1, 2], [regular.size, poisson.size, 2])
    cv = group(times, neurons, size=4, duration=float(poisson[-1]) + 1).snn.isi_cv()
    assert abs(cv[0]) < 1e-9
    assert cv[1] == pytest.approx(1, abs=0.05)
    assert np.isnan(cv[2]) and np.isnan(cv[3])


@pytest.mark.parametrize("bad", [5, 5.0, 5 * ureg.mV])
def test_rate_bin_must_be_a_time_quantity(small, bad):
    with pytest.raises(UnitError, match=r"bin.*\[time\].*5"):
        small.snn.population_rate(bad)


def test_a_bin_too_narrow_for_memory_is_refused(small):
    """A 1 ps bin over 50 ms (5e10 bins) was numpy's MemoryError after trying to allocate 373 GiB."""
    with pytest.raises(ConfigError, match=r"^bin: 1e-12 s cuts the window of 0.05 s into 5e\+10 bins, more than .* "
                                          r"fit in memory \(the limit is .*\); use a wider bin$"):
        small.snn.population_rate(1e-12 * ureg.s)


def test_smooth_and_window_are_checked(small):
    with pytest.raises(UnitError, match="smooth"):
        small.snn.population_rate(5 * ureg.ms, smooth=2)
    with pytest.raises(ConfigError, match="later"):
        small.snn.mean_rates(start=30 * ureg.ms, stop=10 * ureg.ms)


@pytest.mark.parametrize("window", [{"stop": 1 * ureg.s}, {"start": -10 * ureg.ms}, {"start": 60 * ureg.ms},
                                    {"start": 60 * ureg.ms, "stop": 70 * ureg.ms}])
def test_a_window_outside_the_run_is_refused(small, window):
    shown = f"{'start' if 'start' in window else 'stop'}: {window.get('start', window.get('stop')):~}"
    message = f"{shown} is outside the run; expected a time from 0 to its duration, 0.05 s"
    with pytest.raises(ConfigError, match=message):
        small.snn.mean_rates(**window)
    with pytest.raises(ConfigError, match=message):
        small.snn.population_rate(10 * ureg.ms, **window)


def test_window_edges_and_reversal_potentials_are_single_values(small, recorded):
    """An array of times or potentials was numpy's "truth value of an array is ambiguous" or a silent
    broadcast over the recorded neurons."""
    with pytest.raises(ConfigError, match=r"^start: expected a single value \(e.g. '1 s'\), got an array of 2$"):
        small.snn.mean_rates(start=[10, 20] * ureg.ms)
    with pytest.raises(ConfigError, match=r"^stop: expected a single value"):
        small.snn.population_rate(10 * ureg.ms, stop=[20, 30] * ureg.ms)
    with pytest.raises(ConfigError, match=r"^reversal potential of 'ge': expected a single value .* array of 2$"):
        recorded.snn.synaptic_currents({"ge": [0, -10] * ureg.mV})


def test_a_window_up_to_the_end_of_the_run_is_the_whole_run(small):
    xr.testing.assert_identical(small.snn.mean_rates(start=0 * ureg.s, stop=50 * ureg.ms), small.snn.mean_rates())
    assert small.snn.population_rate(25 * ureg.ms, stop=DURATION * ureg.s).sizes["time_bin"] == 2


def test_stop_is_required_without_duration():
    ds = group([0.001], [0], size=1, duration=None)
    with pytest.raises(ConfigError, match="stop"):
        ds.snn.mean_rates()
    assert ds.snn.mean_rates(stop=1 * ureg.s).values.tolist() == [1.0]


@pytest.mark.parametrize("method", ["mean_rates", "population_rate", "spike_counts", "isi_cv", "first_spike_time"])
def test_a_group_that_is_not_a_population_is_named_as_such(method):
    projection = xr.Dataset({"pre": ("synapse", [0, 1]), "post": ("synapse", [1, 0])})
    arguments = (5 * ureg.ms,) if method == "population_rate" else ()
    with pytest.raises(ConfigError, match="not a snnzoo population group"):
        getattr(projection.snn, method)(*arguments)


def test_a_sweep_run_file_with_spike_counts_only_says_so():
    """The README stacks a sweep's runs/*.nc with open_results; with the default record='summary' their
    population groups hold spike counts only, and .snn told the user to use a population's group."""
    counts = xr.Dataset({"spike_count": ("cell", [3, 4])}, attrs={"population": "G", "size": 2})
    with pytest.raises(ConfigError, match="^population 'G': this group holds spike counts only, no spike times "
                                          r"\(a sweep's run file with record='summary'\)"):
        counts.snn.mean_rates()


@pytest.mark.parametrize("method", ["mean_rates", "population_rate", "isi_cv", "first_spike_time"])
def test_a_run_with_spike_counts_only_stacked_with_runs_with_spikes_is_refused(small, method):
    """open_results (or xr.open_mfdataset) of a record='spikes' and a record='summary' run file pads the
    summary run's spike times with NaN: it read as a silent run, 0 Hz, beside its own spike counts."""
    counts_only = small.assign(spike_time=small["spike_time"] * np.nan, spike_neuron=small["spike_neuron"] * np.nan)
    stacked = xr.concat([small, counts_only], dim="record")
    arguments = (5 * ureg.ms,) if method == "population_rate" else ()
    with pytest.raises(ConfigError, match="^run record 1: population 'P': this group holds spike counts only"):
        getattr(stacked.snn, method)(*arguments)
    silent = counts_only.assign(spike_count=small["spike_count"] * 0)  # no spikes: nothing is missing
    assert float(xr.concat([small, silent], dim="record").snn.mean_rates().isel(record=1).sum()) == 0


def test_synaptic_currents(recorded):
    currents = recorded.snn.synaptic_currents(v="v", conductances={"ge": 0 * ureg.mV, "gi": -80 * ureg.mV})
    assert set(currents.data_vars) == {"I_ge", "I_gi"} and currents["I_ge"].attrs["units"] == "A"
    np.testing.assert_allclose(currents["I_ge"], 10e-9 * (0 - recorded["v"]))
    np.testing.assert_allclose(currents["I_gi"].isel(neuron=1), 5e-9 * (-0.080 + 0.065))
    with pytest.raises(UnitError, match="'gi'"):
        recorded.snn.synaptic_currents({"gi": -80 * ureg.ms})
    with pytest.raises(ConfigError, match="no variable 'gx'"):
        recorded.snn.synaptic_currents({"gx": 0 * ureg.mV})


def test_plot_traces_one_axes_per_neuron(recorded, tmp_path):
    figure = plotting.plot_traces(recorded, "v", spike_peak=20 * ureg.mV)
    assert isinstance(figure, Figure) and len(figure.axes) == 2
    assert figure.axes[0].get_ylabel() == "v (mV)"
    assert len(figure.axes[0].collections) == 1  # the spike lines of neuron 0
    single = plotting.plot_traces(recorded, "ge", neurons=[1], titles=["inhibited"], unit="nS")
    assert len(single.axes) == 1 and single.axes[0].get_title() == "inhibited"
    path = plotting.save_figure(figure, tmp_path / "traces.png")
    assert path.read_bytes().startswith(b"\x89PNG") and list(tmp_path.iterdir()) == [path]


def test_plot_traces_errors(recorded):
    with pytest.raises(ConfigError, match="not recorded"):
        plotting.plot_traces(recorded, neurons=[7])
    with pytest.raises(UnitError, match="'v'"):
        plotting.plot_traces(recorded, unit="nA")
    # it said "1 titles for 2 neurons", "2 titles for 1 neurons"
    with pytest.raises(ConfigError, match=r"^titles: expected one title per plotted neuron, 2 in all; got 1$"):
        plotting.plot_traces(recorded, titles=["a"])
    with pytest.raises(ConfigError, match=r"^titles: expected one title per plotted neuron, 1 in all; got 2$"):
        plotting.plot_traces(recorded, neurons=[1], titles=["a", "b"])


@pytest.mark.parametrize("neurons, message", [
    ([True], r"neurons: expected whole-number indices, got \[True\]"),  # xarray's KeyError
    ([0.5], r"neurons: expected whole-number indices, got 0.5 \(an index is never rounded\)"),
    ([], r"neurons: expected one index or a list of distinct indices, got \[\]"),  # "no recorded samples"
    ([1, 1], r"neurons: expected one index or a list of distinct indices, got \[1, 1\]"),  # drawn twice
])
def test_plotted_neurons_are_distinct_recorded_indices(recorded, neurons, message):
    with pytest.raises(ConfigError, match=f"^{message}$"):
        plotting.plot_traces(recorded, neurons=neurons)
    assert len(plotting.plot_traces(recorded, neurons=1).axes) == 1  # one index: it was "'int' is not iterable"


@pytest.mark.parametrize("neuron, message", [
    (True, "neuron: expected a whole number, got True"),  # xarray's KeyError
    ([0, 1], r"neuron: expected a whole number, got \[0, 1\]"),  # the two neurons' currents were summed
    ("1", "neuron: expected a whole number, got '1'"),  # "neuron: 1 was not recorded"
    (5, r"neuron: \[5\] were not recorded for 'v' \(recorded: \[0, 1\]\)"),
])
def test_the_neuron_of_a_current_plot_is_one_recorded_index(recorded, neuron, message):
    with pytest.raises(ConfigError, match=f"^{message}$"):
        plotting.plot_synaptic_currents(recorded, {"ge": 0 * ureg.mV}, neuron=neuron)


def test_raster_every_is_a_whole_number(small):
    with pytest.raises(ConfigError, match="^every: expected a whole number, got True$"):
        plotting.plot_raster(small, every=True)


def test_raster_rates_and_currents_share_one_figure(small, recorded, tmp_path):
    figure = Figure()
    raster_ax, rate_ax, current_ax = figure.subplots(3, 1)
    assert plotting.plot_raster(small, every=2, stop=20 * ureg.ms, ax=raster_ax) is figure
    rates = plotting.plot_rates([small, recorded], 10 * ureg.ms, smooth=5 * ureg.ms, ax=rate_ax, labels=["A", "B"])
    assert rates is figure
    plotting.plot_synaptic_currents(recorded, {"ge": 0 * ureg.mV, "gi": -80 * ureg.mV}, neuron=1, ax=current_ax)
    assert len(figure.axes) == 3 and len(current_ax.lines) == 3 and len(rate_ax.lines) == 2
    assert raster_ax.lines[0].get_ydata().tolist() == [0, 0]  # neuron 1 skipped, the spike at 31 ms is after stop
    path = plotting.save_figure(figure, tmp_path / "summary.png")
    assert path.stat().st_size > 0


def test_standalone_figures_have_one_axes(small):
    assert len(plotting.plot_raster(small).axes) == 1
    assert len(plotting.plot_rates(small, 10 * ureg.ms).axes) == 1


@pytest.mark.parametrize("window, fragment", [
    ({"start": 60 * ureg.ms, "stop": 70 * ureg.ms}, "start: 60 ms is outside the run"),
    ({"start": 60 * ureg.ms}, "start: 60 ms is outside the run"),
    ({"stop": 0.2 * ureg.s}, "stop: 0.2 s is outside the run"),
    ({"start": 30 * ureg.ms, "stop": 20 * ureg.ms}, "must be later than start"),
    ({"start": [10, 20] * ureg.ms}, "start: expected a single value"),
])
def test_a_raster_or_trace_window_lies_within_the_run(small, recorded, window, fragment):
    """As for rates: a raster of a 50 ms run from 60 ms, or 30 to 20 ms, was drawn empty without a word;
    traces said "'v' has no recorded samples to plot", and an array of times was xarray's error."""
    with pytest.raises(ConfigError, match=fragment):
        plotting.plot_raster(small, **window)
    with pytest.raises(ConfigError, match=fragment):
        plotting.plot_traces(recorded, **window)
    assert plotting.plot_raster(small, start=10 * ureg.ms, stop=50 * ureg.ms).axes[0].get_xlim() == (0.01, 0.05)
    assert plotting.plot_traces(recorded, start=10 * ureg.ms).axes[0].lines[0].get_xdata()[[0, -1]].tolist() \
        == [0.01, 0.049]

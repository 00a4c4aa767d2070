"""Analysis of one population group of a result: spike statistics, rates, currents.

Every function takes the group's ``xarray.Dataset`` of one run; the same
functions are reachable as ``ds.snn.<name>(...)`` through the accessor
registered here (``import snnzoo`` registers it). Times given by the user are
pint quantities; results carry CF ``units`` attrs.

Stacked runs (a sweep, :func:`snnzoo.open_results`, ``xr.concat`` of run files)
have extra dimensions on ``spike_time``. The accessor analyses each run on its
own and returns one value per run along those dimensions; the functions below
refuse stacked data rather than pool the spikes of different runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pint
import xarray as xr

from ..engine.memory import memory_limit
from ..errors import ConfigError, SnnzooError, UnitError
from ..units import one_si, parse_unit, positive_si, show

ureg = pint.get_application_registry()

# Spike times lie on a dt grid; one within this fraction of a bin below an edge is on the edge.
_EDGE_TOLERANCE = 1e-9


def spike_data(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray, int]:
    """Spike times (s), spiking neuron indices and population size of one run's group.

    NaN entries of ``spike_time`` are the padding of stacked runs and are left out. A run whose
    ``spike_count`` holds more spikes than its spike times is a run without them, stacked with runs
    that have them (a sweep's ``record='summary'`` file): it is refused, as if alone (it read as 0 Hz).
    """
    check_population_group(ds)
    check_one_run(ds)
    times = ds["spike_time"].values.astype(np.float64)
    spiked = ~np.isnan(times)
    if "spike_count" in ds and np.nansum(ds["spike_count"].values) != np.count_nonzero(spiked):
        raise _counts_only(ds)
    return times[spiked], ds["spike_neuron"].values[spiked].astype(np.int64), int(ds.attrs["size"])


def _counts_only(ds: xr.Dataset) -> ConfigError:
    """The error for a run that holds spike counts but no spike times."""
    return ConfigError(f"population {ds.attrs.get('population', '?')!r}: this group holds spike counts only, no "
                       "spike times (a sweep's run file with record='summary'); read its spike_count, or sweep "
                       "with record='spikes'")


def check_population_group(ds: xr.Dataset) -> None:
    """Refuse a group that is not a population's (a projection, the summary, the root)."""
    missing = [name for name in ("spike_time", "spike_neuron") if name not in ds]
    if "size" not in ds.attrs:
        missing.append("the 'size' attribute")
    if missing and "spike_count" in ds and "size" in ds.attrs:  # it said: use a population's group, which it is
        raise _counts_only(ds)
    if missing:
        raise ConfigError(f"not a snnzoo population group: missing {', '.join(missing)}; "
                          "use a population's group, e.g. result['NAME'].ds")


PER_RUN_ANALYSES = ("spike_counts", "mean_rates", "population_rate", "isi_cv", "first_spike_time")
"""The analyses the ``ds.snn`` accessor applies to each run of stacked runs (the others need one run)."""


def refuse_stacked_runs(ds: xr.Dataset) -> None:
    """Refuse a group that stacks several runs (:func:`snnzoo.open_results`, a sweep) where one run is needed.

    The message fits every caller: a function of this module, the accessor's ``spike_trains`` or a plot."""
    stacked = run_dimensions(ds)
    if stacked:
        per_run = ", ".join(f"ds.snn.{name}()" for name in PER_RUN_ANALYSES)
        raise ConfigError(f"this group stacks several runs along {stacked}, where one run is needed: select one, "
                          f"e.g. ds.isel({stacked[0]}=0) (one value per run: {per_run})")


def check_one_run(ds: xr.Dataset) -> None:
    """Refuse a group that is not one run's data where one run is needed: runs stacked
    (:func:`refuse_stacked_runs`), or a run without data, such as a failed run of a sweep selected from
    its stacked group (its values are all NaN: it read as a silent run, no spikes and a rate of 0 Hz)."""
    refuse_stacked_runs(ds)
    if without_data(ds):
        raise ConfigError("this run has no data: it failed or was lost in its sweep (the sweep's status and error "
                          "say why); select a run whose status is 'ok'")


def without_data(ds: xr.Dataset) -> bool:
    """Whether the group of one run holds no data: its ``spike_count`` is all NaN (a failed or lost run
    of a sweep, padded when the runs were stacked)."""
    return "spike_count" in ds and ds["spike_count"].size > 0 and bool(ds["spike_count"].isnull().all())


def run_dimensions(ds: xr.Dataset) -> tuple[str, ...]:
    """The dimensions along which ``ds`` stacks runs: those of ``spike_time`` other than ``spike``."""
    if "spike_time" not in ds:
        return ()
    return tuple(dim for dim in ds["spike_time"].dims if dim != "spike")


def over_runs(ds: xr.Dataset, analyse: Callable[[xr.Dataset], xr.DataArray]) -> xr.DataArray:
    """``analyse`` applied to every run of a (possibly stacked) group, stacked back along the run dimensions.

    A run without data (a failed run in a sweep: its ``spike_count`` is all NaN)
    is not analysed: it gives NaN, never zero. An error names the run it is about.
    """
    dims = run_dimensions(ds)
    if not dims:
        return analyse(ds)
    indices = list(np.ndindex(tuple(ds.sizes[dim] for dim in dims)))
    runs = [ds.isel(dict(zip(dims, index))) for index in indices]
    results = [None if without_data(run) else _analysed(run, analyse, _run_name(run, dims, index))
               for run, index in zip(runs, indices)]
    analysed = [k for k, result in enumerate(results) if result is not None]
    if not analysed:
        raise ConfigError(f"no run stacked along {dims} has data (each failed or was lost in its sweep)")
    first = results[analysed[0]]
    for k in analysed:
        if results[k].shape != first.shape:
            raise ConfigError(f"the runs stacked along {dims} give results of different shapes, {first.shape} for "
                              f"{_run_name(runs[analysed[0]], dims, indices[analysed[0]])} and {results[k].shape} "
                              f"for {_run_name(runs[k], dims, indices[k])}; analyse them one by one")
    results = [first.where(False) if result is None else result for result in results]
    values = np.stack([r.values for r in results]).reshape(tuple(ds.sizes[dim] for dim in dims) + first.shape)
    run_coords = {name: coord for name, coord in ds.coords.items() if set(coord.dims) <= set(dims)}
    own_coords = {name: coord for name, coord in first.coords.items() if name not in ds.coords or coord.ndim}
    return xr.DataArray(values, dims=dims + first.dims, coords={**own_coords, **run_coords},
                        name=first.name, attrs=first.attrs)


def _analysed(run: xr.Dataset, analyse: Callable[[xr.Dataset], xr.DataArray], name: str) -> xr.DataArray:
    """``analyse(run)``, its error naming the run ``name`` (a window outside one run's duration said only
    "outside the run", leaving the user to find which of the stacked runs)."""
    try:
        return analyse(run)
    except SnnzooError as error:
        error.args = (f"run {name}: {error}", *error.args[1:])
        raise


def _run_name(run: xr.Dataset, dims: tuple[str, ...], index: tuple[int, ...]) -> str:
    """One run of stacked runs by its coordinates, ``duration = 50 ms, seed = 0``, or its position along a
    dimension without one, ``run 3``."""
    parts = []
    for dim, position in zip(dims, index):
        if dim not in run.coords:
            parts.append(f"{dim} {position}")
            continue
        value, unit = run[dim].values.item(), run[dim].attrs.get("units", "")
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        parts.append(f"{dim} = {shown}" + (f" {unit}" if unit not in ("", "1") else ""))
    return ", ".join(parts)


def data_variable(ds: xr.Dataset, name: str) -> xr.DataArray:
    """The data variable ``name``, or a ConfigError listing the variables there are."""
    if name not in ds.data_vars:
        raise ConfigError(f"no variable {name!r} in this population (has: {', '.join(map(str, ds.data_vars))})")
    return ds[name]


def in_unit(values: xr.DataArray, unit: str) -> xr.DataArray:
    """``values`` converted from its ``units`` attr to ``unit`` (UnitError if the dimensions differ)."""
    what = f"variable {values.name!r}"
    if "units" not in values.attrs:
        raise UnitError(f"{what} has no 'units' attribute")
    factor = magnitude_in(ureg.Quantity(1.0, parse_unit(values.attrs["units"], what=what)), unit, what=what)
    return (values * factor).assign_attrs(values.attrs, units=unit)


def magnitude_in(value: Any, unit: str, *, what: str) -> float:
    """The magnitude of the single quantity ``value`` in ``unit``; a plain number or wrong dimension is a
    UnitError, an array a ConfigError."""
    return one_si(value, unit, what=what) / one_si(ureg.Quantity(1.0, parse_unit(unit, what=what)), unit, what=what)


def run_duration(ds: xr.Dataset) -> float | None:
    """The simulated duration (s) of the run of ``ds``: its ``duration_seconds`` attribute, or its
    ``duration_seconds`` variable (runs of different durations stacked: one run selected); None if unknown."""
    if "duration_seconds" in ds.attrs:
        return float(ds.attrs["duration_seconds"])
    if "duration_seconds" in ds.variables and ds["duration_seconds"].ndim == 0:
        return float(ds["duration_seconds"])
    return None


def time_window(ds: xr.Dataset, start: Any = None, stop: Any = None) -> tuple[float, float]:
    """``(start, stop)`` in seconds; defaults are 0 and the run's duration (:func:`run_duration`), and a
    window of a run whose duration is known lies within it."""
    check_population_group(ds)
    duration = run_duration(ds)
    begin = 0.0 if start is None else one_si(start, "s", what="start")
    if stop is not None:
        end = one_si(stop, "s", what="stop")
    elif duration is not None:
        end = duration
    else:
        raise ConfigError("stop: this result has no 'duration_seconds' attribute; pass stop= as a time quantity")
    if duration is not None:
        slack = _EDGE_TOLERANCE * duration
        for name, value, given in (("start", begin, start), ("stop", end, stop)):
            if not -slack <= value <= duration + slack:
                raise ConfigError(f"{name}: {show(given)} is outside the run; expected a time from 0 to its "
                                  f"duration, {duration:g} s")
    if not end > begin:
        raise ConfigError(f"stop ({end} s) must be later than start ({begin} s)")
    return begin, end


def _per_cell(values: np.ndarray, size: int, name: str, **attrs: str) -> xr.DataArray:
    return xr.DataArray(
        values, dims="cell", coords={"cell": np.arange(size, dtype=np.int32)}, name=name, attrs=attrs
    )


def spike_trains(ds: xr.Dataset) -> dict[int, np.ndarray]:
    """Sorted spike times in seconds of every neuron ``0..size-1`` (empty arrays for silent ones)."""
    times, neurons, size = spike_data(ds)
    order = np.lexsort((times, neurons))
    bounds = np.cumsum(np.bincount(neurons, minlength=size))[:-1]
    return dict(zip(range(size), np.split(times[order], bounds)))  # none for a population of no neurons


def _bin_index(times: np.ndarray, begin: float, width: float) -> np.ndarray:
    """The bin of width ``width`` from ``begin`` that holds each spike time; a time within
    ``_EDGE_TOLERANCE`` of a bin below an edge (a step's time ``n * dt`` rounded down) is on the edge."""
    return np.floor((times - begin) / width + _EDGE_TOLERANCE).astype(np.int64)


def in_window(times: np.ndarray, begin: float, end: float) -> np.ndarray:
    """Which ``times`` (s) lie in ``[begin, end)``, edges as in :func:`population_rate` (a step's time
    ``n * dt`` a rounding error below an edge is on it): the window rule of rates and of catalog checks."""
    return _bin_index(np.asarray(times, dtype=float), begin, end - begin) == 0


def spike_counts(ds: xr.Dataset) -> xr.DataArray:
    """Number of spikes of every neuron, over ``cell`` (the stored ``spike_count`` if there is one)."""
    if "spike_count" in ds.data_vars:
        return ds["spike_count"]
    _, neurons, size = spike_data(ds)
    counts = np.bincount(neurons, minlength=size).astype(np.int64)
    return _per_cell(counts, size, "spike_count", units="1", long_name="number of spikes")


def mean_rates(ds: xr.Dataset, start: Any = None, stop: Any = None) -> xr.DataArray:
    """Mean firing rate (Hz) of every neuron in ``[start, stop)`` (edges as in :func:`population_rate`)."""
    begin, end = time_window(ds, start, stop)
    times, neurons, size = spike_data(ds)
    counts = np.bincount(neurons[in_window(times, begin, end)], minlength=size)
    return _per_cell(counts / (end - begin), size, "rate", units="Hz", long_name="mean firing rate")


def population_rate(
    ds: xr.Dataset, bin: Any, smooth: Any = None, start: Any = None, stop: Any = None
) -> xr.DataArray:
    """Population rate (Hz) in whole bins of width ``bin`` from ``start``, over ``time_bin`` (centres).

    Spikes per bin / (size * bin width), optionally smoothed with a Gaussian of
    standard deviation ``smooth``. ``bin`` and ``smooth`` are time quantities.
    """
    width = positive_si(bin, "s", what="bin")
    sigma = None if smooth is None else positive_si(smooth, "s", what="smooth")
    begin, end = time_window(ds, start, stop)
    times, neurons, size = spike_data(ds)
    if size == 0:
        raise ConfigError("population_rate: the population has no neurons")
    n_bins = int(np.floor((end - begin) / width + _EDGE_TOLERANCE))
    if n_bins < 1:
        raise ConfigError(f"bin: {width} s is longer than the window of {end - begin} s")
    _check_bins_fit(n_bins, width, end - begin)
    index = _bin_index(times, begin, width)
    index = index[(index >= 0) & (index < n_bins)]
    rate = np.bincount(index, minlength=n_bins) / (size * width)
    if sigma is not None:
        from scipy.ndimage import gaussian_filter1d

        rate = gaussian_filter1d(rate, sigma / width)
    centres = begin + width * (np.arange(n_bins) + 0.5)
    return xr.DataArray(
        rate,
        dims="time_bin",
        coords={"time_bin": ("time_bin", centres, {"units": "s", "long_name": "bin centre"})},
        name="rate",
        attrs={"units": "Hz", "long_name": "population rate"},
    )


_BYTES_PER_BIN = 32
"""A population rate holds, per bin, its spike count, rate and centre (and a smoothed copy), 8 bytes each."""


def _check_bins_fit(n_bins: int, width: float, window: float) -> None:
    """Refuse a bin so narrow that the rate's arrays would not fit in memory (numpy's MemoryError, or worse)."""
    limit, source = memory_limit()
    if n_bins * _BYTES_PER_BIN > limit:
        raise ConfigError(f"bin: {width:g} s cuts the window of {window:g} s into {n_bins:.3g} bins, more than "
                          f"{limit // _BYTES_PER_BIN:.3g} fit in memory (the limit is {source}); use a wider bin")


def isi_cv(ds: xr.Dataset) -> xr.DataArray:
    """Coefficient of variation of the inter-spike intervals per neuron (NaN below 3 spikes)."""
    cv = isi_cv_values(*spike_data(ds))
    return _per_cell(cv, cv.size, "isi_cv", units="1", long_name="coefficient of variation of inter-spike intervals")


def isi_cv_values(times: np.ndarray, neurons: np.ndarray, size: int) -> np.ndarray:
    """:func:`isi_cv` of one run's spikes given as arrays (times in s, neuron indices, as :func:`spike_data`
    returns them): one value per neuron, NaN below 3 spikes. For code that holds the arrays already (a
    sweep's run summary), with no dataset made or checked."""
    order = np.lexsort((times, neurons))
    times, neurons = times[order], neurons[order]
    same_neuron = neurons[1:] == neurons[:-1]
    intervals = np.diff(times)[same_neuron]
    owner = neurons[1:][same_neuron]
    count = np.bincount(owner, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(owner, intervals, minlength=size) / count
        spread = np.sqrt(np.bincount(owner, (intervals - mean[owner]) ** 2, minlength=size) / count)
        cv = spread / mean
    cv[count < 2] = np.nan
    return cv


def first_spike_time(ds: xr.Dataset) -> xr.DataArray:
    """Time (s) of the first spike of every neuron, NaN for neurons that never spiked."""
    times, neurons, size = spike_data(ds)
    first = np.full(size, np.inf)
    np.minimum.at(first, neurons, times)
    first[np.isinf(first)] = np.nan
    return _per_cell(first, size, "first_spike_time", units="s", long_name="time of the first spike")


def synaptic_currents(ds: xr.Dataset, conductances: Mapping[str, Any], v: str = "v") -> xr.Dataset:
    """Currents ``g * (E - v)`` in A, one ``I_<g>`` variable per conductance ``g``.

    ``conductances`` maps conductance variable names to reversal potentials
    (voltage quantities), e.g. ``{"ge": 0 * ureg.mV, "gi": -80 * ureg.mV}``.
    """
    if not conductances:
        raise ConfigError("conductances: give at least one conductance name and its reversal potential")
    voltage = in_unit(data_variable(ds, v), "V")
    currents = {}
    for name, reversal in conductances.items():
        conductance = in_unit(data_variable(ds, name), "S")
        if conductance.dims != voltage.dims:
            raise ConfigError(f"{name!r} {conductance.dims} and {v!r} {voltage.dims} are not recorded together")
        potential = one_si(reversal, "V", what=f"reversal potential of {name!r}")
        currents[f"I_{name}"] = (conductance * (potential - voltage)).assign_attrs(
            units="A", long_name=f"synaptic current through {name}"
        )
    return xr.Dataset(currents)


@xr.register_dataset_accessor("snn")
class SpikeAnalysisAccessor:
    """``ds.snn``: the functions of :mod:`snnzoo.results.analysis` bound to a population group."""

    def __init__(self, ds: xr.Dataset):
        self._ds = ds

    def spike_trains(self) -> dict[int, np.ndarray]:
        """See :func:`spike_trains` (one run only: stacked runs are refused)."""
        return spike_trains(self._ds)

    def spike_counts(self) -> xr.DataArray:
        """See :func:`spike_counts`; per run for stacked runs."""
        return over_runs(self._ds, spike_counts)

    def mean_rates(self, start: Any = None, stop: Any = None) -> xr.DataArray:
        """See :func:`mean_rates`; per run for stacked runs."""
        return over_runs(self._ds, lambda run: mean_rates(run, start, stop))

    def population_rate(self, bin: Any, smooth: Any = None, start: Any = None, stop: Any = None) -> xr.DataArray:
        """See :func:`population_rate`; per run for stacked runs."""
        return over_runs(self._ds, lambda run: population_rate(run, bin, smooth, start, stop))

    def isi_cv(self) -> xr.DataArray:
        """See :func:`isi_cv`; per run for stacked runs."""
        return over_runs(self._ds, isi_cv)

    def first_spike_time(self) -> xr.DataArray:
        """See :func:`first_spike_time`; per run for stacked runs."""
        return over_runs(self._ds, first_spike_time)

    def synaptic_currents(self, conductances: Mapping[str, Any], v: str = "v") -> xr.Dataset:
        """See :func:`synaptic_currents`."""
        return synaptic_currents(self._ds, conductances, v)

"""Matplotlib figures of a population group: traces with spikes, raster, rates, currents.

Figures are made with ``matplotlib.figure.Figure`` (no pyplot state), so they
work headless. Each function draws into ``ax`` when given and returns the figure.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..errors import ConfigError
from ..safe_write import write_atomically
from ..units import one_si, show, whole_number, whole_numbers
from .analysis import (check_one_run, data_variable, in_unit, magnitude_in, population_rate, run_duration,
                       spike_data, synaptic_currents, time_window)
from .layout import MeasuredLayout

PNG_DPI = 100
"""Resolution of the PNG files snnzoo writes."""


def _figure_and_axes(ax: Axes | None) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.get_figure(root=True), ax
    figure = Figure(figsize=(8, 4), layout=MeasuredLayout())
    return figure, figure.subplots()


def _population_name(ds: xr.Dataset) -> str:
    return str(ds.attrs.get("population", "population"))


def _recorded_neurons(neurons: Any, recorded: np.ndarray, variable: str, what: str) -> np.ndarray:
    """``neurons`` (one index or a list) as distinct whole numbers among the ``recorded`` neurons of ``variable``."""
    chosen = whole_numbers(neurons, what=what)
    if chosen.ndim != 1 or chosen.size == 0 or np.unique(chosen).size != chosen.size:
        raise ConfigError(f"{what}: expected one index or a list of distinct indices, got {show(neurons)}")
    missing = sorted(set(chosen.tolist()) - set(recorded.tolist()))
    if missing:
        raise ConfigError(f"{what}: {missing} were not recorded for {variable!r} (recorded: {recorded.tolist()})")
    return chosen


def check_titles(titles: Sequence[str] | None, neurons: int, *, what: str = "titles") -> None:
    """Refuse ``titles`` (of :func:`plot_traces`) unless there is one per plotted neuron."""
    if titles is not None and len(titles) != neurons:
        raise ConfigError(f"{what}: expected one title per plotted neuron, {neurons} in all; got {len(titles)}")


def _shown_window(ds: xr.Dataset, start: Any, stop: Any) -> tuple[float, float | None]:
    """``(start, stop)`` in seconds of what a panel shows: a window within the run, start before stop
    (:func:`time_window`); stop is None when neither it nor the run's duration is known."""
    if run_duration(ds) is not None or stop is not None:
        return time_window(ds, start, stop)
    return (0.0 if start is None else magnitude_in(start, "s", what="start")), None


def plot_traces(
    ds: xr.Dataset,
    variable: str = "v",
    neurons: Sequence[int] | None = None,
    titles: Sequence[str] | None = None,
    spike_peak: Any = None,
    unit: str = "mV",
    ax: Axes | None = None,
    start: Any = None,
    stop: Any = None,
) -> Figure:
    """One subplot per recorded neuron (all in ``ax`` if given), spikes as lines up to ``spike_peak``;
    ``start``/``stop`` (times) zoom in."""
    check_one_run(ds)
    trace = in_unit(data_variable(ds, variable), unit)
    time_dim, neuron_dim = trace.dims
    if start is not None or stop is not None:
        begin, end = _shown_window(ds, start, stop)
        trace = trace.sel({time_dim: slice(begin, end)})
    recorded = trace[neuron_dim].values
    chosen = recorded if neurons is None else _recorded_neurons(neurons, recorded, variable, "neurons")
    check_titles(titles, len(chosen))
    peak = None if spike_peak is None else magnitude_in(spike_peak, unit, what="spike_peak")
    spike_times, spike_neurons, _ = spike_data(ds)
    times = trace[time_dim].values
    if chosen.size == 0 or times.size == 0:
        raise ConfigError(f"{variable!r} has no recorded samples to plot")

    if ax is None:
        columns = math.ceil(math.sqrt(len(chosen)))
        rows = math.ceil(len(chosen) / columns)
        figure = Figure(figsize=(4.5 * columns, 2.5 * rows), layout=MeasuredLayout())
        grid = figure.add_gridspec(rows, columns)
        axes = [figure.add_subplot(grid[divmod(position, columns)]) for position in range(len(chosen))]
    else:
        figure, axes = ax.get_figure(root=True), [ax] * len(chosen)

    labels = next((c for name, c in trace.coords.items() if c.dims == (neuron_dim,) and name != neuron_dim), None)
    for position, (neuron, target) in enumerate(zip(chosen, axes)):
        title = titles[position] if titles is not None else f"neuron {neuron}"
        if titles is None and labels is not None:
            title += f" ({labels.sel({neuron_dim: neuron}).item()})"
        values = trace.sel({neuron_dim: neuron}).values
        (line,) = target.plot(times, values, label=title)
        if peak is not None:
            own = spike_times[(spike_neurons == neuron) & (spike_times >= times[0]) & (spike_times <= times[-1])]
            target.vlines(own, np.interp(own, times, values), peak, color=line.get_color())
        target.set_xlabel("time (s)")
        target.set_ylabel(f"{variable} ({unit})")
        if ax is None:
            target.set_title(title)
    if ax is not None and len(chosen) > 1:
        ax.legend()
    return figure


def plot_raster(
    ds: xr.Dataset, start: Any = None, stop: Any = None, ax: Axes | None = None, every: int = 1
) -> Figure:
    """Spike raster; ``every=k`` shows only neurons whose index is a multiple of k."""
    every = whole_number(every, what="every", minimum=1)
    figure, ax = _figure_and_axes(ax)
    times, neurons, size = spike_data(ds)
    begin, end = _shown_window(ds, start, stop)
    end = float(times.max(initial=begin)) if end is None else end
    shown = (neurons % every == 0) & (times >= begin) & (times <= end)
    ax.plot(times[shown], neurons[shown], linestyle="none", marker="|", markersize=3, color="black")
    if end > begin:
        ax.set_xlim(begin, end)
    ax.set_ylim(-0.5, size - 0.5)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("neuron")
    ax.set_title(_population_name(ds))
    return figure


def plot_rates(
    ds_or_list: xr.Dataset | Sequence[xr.Dataset],
    bin: Any,
    smooth: Any = None,
    ax: Axes | None = None,
    labels: Sequence[str] | None = None,
    start: Any = None,
    stop: Any = None,
) -> Figure:
    """Population rate (Hz) of one or several population groups over time (between ``start`` and ``stop``)."""
    groups = [ds_or_list] if isinstance(ds_or_list, xr.Dataset) else list(ds_or_list)
    if labels is not None and len(labels) != len(groups):
        raise ConfigError(f"labels: {len(labels)} labels for {len(groups)} populations")
    figure, ax = _figure_and_axes(ax)
    for position, group in enumerate(groups):
        rate = population_rate(group, bin, smooth, start=start, stop=stop)
        label = labels[position] if labels is not None else _population_name(group)
        ax.plot(rate["time_bin"].values, rate.values, label=label)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("population rate (Hz)")
    if len(groups) > 1 or labels is not None:
        ax.legend()
    return figure


def plot_synaptic_currents(
    ds: xr.Dataset,
    conductances: Mapping[str, Any],
    v: str = "v",
    neuron: int | None = None,
    unit: str = "nA",
    ax: Axes | None = None,
) -> Figure:
    """Synaptic currents ``g * (E - v)`` of one neuron and their sum (SNN.jl ``gplot``)."""
    check_one_run(ds)
    currents = synaptic_currents(ds, conductances, v)
    time_dim, neuron_dim = ds[v].dims
    recorded = ds[neuron_dim].values
    chosen = recorded[0] if neuron is None else _recorded_neurons(whole_number(neuron, what="neuron"),
                                                                   recorded, v, "neuron")[0]
    figure, ax = _figure_and_axes(ax)
    times = ds[time_dim].values
    total = 0.0
    for name, current in currents.data_vars.items():
        values = in_unit(current.sel({neuron_dim: chosen}), unit).values
        ax.plot(times, values, label=str(name))
        total = total + values
    ax.plot(times, total, label="total", color="black", linewidth=1)
    ax.set_xlabel("time (s)")
    ax.set_ylabel(f"synaptic current ({unit})")
    ax.set_title(f"{_population_name(ds)} neuron {chosen}")
    ax.legend()
    return figure


def plot_synapse_histogram(ds: xr.Dataset, variable: str = "weight", bins: int = 40, scale: Any = None,
                           ax: Axes | None = None) -> Figure:
    """Histogram of a projection's final per-synapse ``variable`` (``weight`` is w), divided by ``scale``."""
    bins = whole_number(bins, what="bins", minimum=1)
    figure, ax = _figure_and_axes(ax)
    values = data_variable(ds, variable).values.ravel()
    unit = ds[variable].attrs.get("units", "1")
    divisor = 1.0 if scale is None else one_si(scale, unit, what="scale")
    ax.hist(values / divisor, bins=bins, color="gray")
    ax.set_xlabel(f"{variable}" + (f" / {scale}" if scale is not None else f" ({unit})"))
    ax.set_ylabel("synapses")
    return figure


def plot_synapse_values(ds: xr.Dataset, variable: str = "weight", x: Sequence[float] | None = None,
                        xlabel: str = "synapse", offset: float = 0.0, ax: Axes | None = None) -> Figure:
    """A projection's final per-synapse ``variable`` minus ``offset``, against ``x`` (default: the synapse index)."""
    figure, ax = _figure_and_axes(ax)
    values = np.broadcast_to(data_variable(ds, variable).values, (ds.sizes["synapse"],)) - offset
    positions = np.arange(values.size) if x is None else np.asarray(x, dtype=float)
    if positions.shape != values.shape:
        raise ConfigError(f"x: expected {values.size} values (one per synapse), got {positions.size}")
    ax.plot(positions, values, marker="o", linestyle="-", color="black")
    ax.axhline(0.0, color="gray", linewidth=0.5)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"{variable}" + (f" - {offset:g}" if offset else "") + f" ({ds[variable].attrs.get('units', '1')})")
    return figure


def plot_synapse_traces(ds: xr.Dataset, variable: str = "w", ax: Axes | None = None) -> Figure:
    """The recorded ``variable`` of each synapse of a synapse monitor against time."""
    figure, ax = _figure_and_axes(ax)
    da = data_variable(ds, variable)
    for column, synapse in enumerate(ds["recorded_synapse"].values):
        ax.plot(ds["time"].values, da.values[:, column], label=f"synapse {synapse}")
    ax.set_xlabel("time (s)")
    ax.set_ylabel(f"{variable} ({da.attrs.get('units', '1')})")
    if da.shape[1] <= 10:
        ax.legend()
    return figure


def save_figure(figure: Figure, path: str | os.PathLike) -> Path:
    """Save ``figure`` as a PNG (dpi 100) atomically and return the path."""
    return write_atomically(path, lambda: png_bytes(figure))


PNG_COMPRESSION = 1
"""zlib level of the PNGs snnzoo writes: the fastest; level 6 (Pillow's default) took half as long again
for files about 6 % smaller (benchmarks/figure_cost.py, docs/performance.md)."""


def png_bytes(figure: Figure) -> bytes:
    """``figure`` as a PNG (dpi 100), made in memory.

    Drawn by the Agg canvas directly, without ``figure.savefig``'s detour (which lays a figure with a layout
    engine out in a draw of its own before drawing it).
    """
    original, dpi = figure.canvas, figure.dpi
    buffer = io.BytesIO()
    try:
        if dpi != PNG_DPI:
            figure.set_dpi(PNG_DPI)
        FigureCanvasAgg(figure).print_png(buffer, pil_kwargs={"compress_level": PNG_COMPRESSION})
    finally:
        figure.set_canvas(original)
        if dpi != PNG_DPI:
            figure.set_dpi(dpi)
    return buffer.getvalue()

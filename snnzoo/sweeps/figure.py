"""The figure of a sweep: a summary value against one swept axis, one line per population and per value of
any other axis, with the spread over seeds as error bars."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from ..catalog.experiment import item_text
from ..errors import ConfigError


FIGURE_VARIABLES = ("mean_rate", "total_spikes", "isi_cv")
"""The per-population summary values a sweep figure can show."""


def check_sweep_figure(spec: dict[str, Any], axes: Sequence[str], populations: Sequence[str]) -> None:
    """Refuse a figure ``spec`` that cannot be drawn for a sweep over ``axes`` of an experiment with
    ``populations`` (the command checks it before any run)."""
    x = spec.get("x")
    if x not in axes:
        raise ConfigError(f"sweep figure: x must be one of the swept axes {list(axes)}, got {x!r}")
    variable = spec.get("variable", "mean_rate")
    if variable not in FIGURE_VARIABLES:
        raise ConfigError(f"sweep figure: variable must be one of {', '.join(FIGURE_VARIABLES)}, got {variable!r}")
    for population in spec.get("populations", []):
        if population not in populations:
            raise ConfigError(f"sweep figure: unknown population {population!r} (populations: "
                              f"{', '.join(populations)})")


def sweep_figure(summary: xr.Dataset, spec: dict[str, Any], title: str = "", expected: Mapping[str, str] | None = None):
    """Plot ``spec["variable"]`` (default ``mean_rate``) against axis ``spec["x"]``: mean ± sd over seeds.

    ``populations`` picks populations (default all); ``xlabel`` replaces the axis label (the swept path).
    ``expected`` maps a population to the check (its name in ``summary``) whose expected values are drawn
    as a wide pale band under its own (a ``[[sweep.expected]]`` closed form, such as ``fi-curve``'s).
    """
    from matplotlib.figure import Figure

    names = summary["population"].values.tolist()
    check_sweep_figure(spec, [dim for dim in summary["status"].dims if dim != "seed"], names)
    variable, x = spec.get("variable", "mean_rate"), spec["x"]
    data = summary[variable].where(summary["status"] == "ok")
    others = [dim for dim in summary["status"].dims if dim not in (x, "seed")]
    figure = Figure(figsize=tuple(spec.get("size", (7, 4.5))), layout="constrained")
    ax = figure.subplots()
    for population in spec.get("populations", names):
        series = data.sel(population=population)
        for index in np.ndindex(tuple(summary.sizes[dim] for dim in others)):
            line = series.isel(dict(zip(others, index)))
            label = ", ".join([str(population)]
                              + [f"{dim} = {summary[dim].values[i]:g}" for dim, i in zip(others, index)])
            mean, spread = line.mean("seed"), line.std("seed")
            drawn = ax.errorbar(summary[x].values, mean.values,
                                yerr=spread.values if summary.sizes["seed"] > 1 else None, marker="o", capsize=3,
                                label=label)
            check = (expected or {}).get(population)
            if check is not None and "check_expected" in summary and check in summary["check"].values:
                target = summary["check_expected"].sel(check=check).isel(dict(zip(others, index))).mean("seed")
                ax.plot(summary[x].values, target.values, linewidth=7, alpha=0.3, solid_capstyle="round",
                        color=drawn.lines[0].get_color(), label=f"{label}: expected")  # a band the line runs in
    unit = summary[x].attrs.get("units", "")
    ax.set_xlabel(spec.get("xlabel", summary[x].attrs.get("path", x)) + (f" ({unit})" if unit and unit != "1" else ""))
    ax.set_ylabel(f"{variable.replace('_', ' ')}" + (f" ({data.attrs['units']})" if data.attrs.get("units") else ""))
    ax.legend(fontsize="small")
    seeds = summary.sizes["seed"]
    ax.set_title(f"mean ± sd over {seeds} seeds" if seeds > 1 else "one seed", fontsize="small")
    figure.suptitle(textwrap.fill(title, 80), fontsize="medium")
    return figure


def experiment_sweep_figure(summary: xr.Dataset, spec: dict[str, Any], title: str = ""):
    """The figure an experiment's ``[sweep.figure]`` asks for, with the values its ``[[sweep.expected]]`` items
    expect drawn under the lines (:func:`expected_lines`)."""
    figure = spec["sweep"]["figure"]
    return sweep_figure(summary, figure, title, expected_lines(spec, figure))


def expected_lines(spec: dict[str, Any], figure: dict[str, Any]) -> dict[str, str]:
    """The ``[[sweep.expected]]`` checks whose expected values the sweep figure draws: by population, the first
    check of the figure's variable with a ``value`` and no ``at`` (its name in the sweep's result)."""
    lines: dict[str, str] = {}
    for item in spec.get("sweep", {}).get("expected", []):
        if item["check"] == figure.get("variable", "mean_rate") and "value" in item and "at" not in item:
            lines.setdefault(item.get("population"), item_text(item))
    return lines

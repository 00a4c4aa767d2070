"""The figure of a sweep: a summary value against one swept axis, one line per population and per value of
any other axis, with the spread over seeds as error bars."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

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


def sweep_figure(summary: xr.Dataset, spec: dict[str, Any], title: str = ""):
    """Plot ``spec["variable"]`` (default ``mean_rate``) against axis ``spec["x"]``: mean ± sd over seeds.

    ``populations`` picks populations (default all); ``xlabel`` replaces the axis label (the swept path).
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
            ax.errorbar(summary[x].values, mean.values, yerr=spread.values if summary.sizes["seed"] > 1 else None,
                        marker="o", capsize=3, label=label)
    unit = summary[x].attrs.get("units", "")
    ax.set_xlabel(spec.get("xlabel", summary[x].attrs.get("path", x)) + (f" ({unit})" if unit and unit != "1" else ""))
    ax.set_ylabel(f"{variable.replace('_', ' ')}" + (f" ({data.attrs['units']})" if data.attrs.get("units") else ""))
    ax.legend(fontsize="small")
    seeds = summary.sizes["seed"]
    ax.set_title(f"mean ± sd over {seeds} seeds" if seeds > 1 else "one seed", fontsize="small")
    figure.suptitle(textwrap.fill(title, 80), fontsize="medium")
    return figure

"""The figure of a sweep: a summary value against one swept axis, one line per population and per value of
any other axis, with the spread over seeds as error bars."""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import xarray as xr

from ..errors import ConfigError


def sweep_figure(summary: xr.Dataset, spec: dict[str, Any], title: str = ""):
    """Plot ``spec["variable"]`` (default ``mean_rate``) against axis ``spec["x"]``: mean ± sd over seeds.

    ``populations`` picks populations (default all); ``xlabel`` replaces the axis label (the swept path).
    """
    from matplotlib.figure import Figure

    variable = spec.get("variable", "mean_rate")
    x = spec.get("x")
    if x not in summary["status"].dims or x == "seed":
        axes = [dim for dim in summary["status"].dims if dim != "seed"]
        raise ConfigError(f"sweep figure: x must be one of the swept axes {axes}, got {x!r}")
    if variable not in summary:
        raise ConfigError(f"sweep figure: no summary variable {variable!r} (have: {', '.join(summary.data_vars)})")
    data = summary[variable].where(summary["status"] == "ok")
    names = spec.get("populations", summary["population"].values.tolist())
    others = [dim for dim in summary["status"].dims if dim not in (x, "seed")]
    figure = Figure(figsize=tuple(spec.get("size", (7, 4.5))), layout="constrained")
    ax = figure.subplots()
    for population in names:
        if population not in summary["population"].values:
            raise ConfigError(f"sweep figure: unknown population {population!r}")
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

"""Stack the runs of a sweep into one xarray object with the swept parameters and ``seed`` as dimensions."""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..errors import ConfigError
from ..results.tree import index_dimensions, populations, with_run_durations
from .grid import Grid
from .worker import Outcome

RUN = "__run"
"""The flat run dimension used while stacking (never in a result)."""


def combine(grid: Grid, outcomes: list[Outcome | None], record: str) -> xr.Dataset | xr.DataTree:
    """One object for every run of ``grid`` (``outcomes`` in grid order): the summary Dataset, plus one stacked
    group per population (and the projections for ``record="traces"``) in a DataTree unless ``record="summary"``.
    A swept dimension named like something in those groups (a recorded variable ``v``) is renamed ``swept_v``."""
    trees = [outcome.tree for outcome in outcomes if outcome is not None and outcome.tree is not None]
    grid = grid.named_apart_from({str(name) for tree in trees for node in tree.subtree if node.path != "/summary"
                                  for name in (*node.dataset.dims, *node.dataset.variables)})
    coords = _coordinates(grid)
    summaries = [None if outcome is None else outcome.summary for outcome in outcomes]
    summary = _stack_alike(grid, summaries, coords) or _stack(grid, summaries, coords, "minimal")
    for name in [name for name, var in summary.data_vars.items() if var.dtype.kind == "O"]:  # text with gaps
        summary[name] = summary[name].fillna("missing" if name == "status" else "").astype(str)
    summary.attrs = {"dimensions": " x ".join(grid.dims)}
    if record == "summary":
        return summary
    groups = {"/": summary}
    runs = [outcome.tree if outcome is not None and outcome.status == "ok" else None for outcome in outcomes]
    check_population_sizes(record, [(f"run {outcome.key}", {name: int(ds.attrs["size"]) for name, ds in
                                                            populations(outcome.tree).items()})
                                    for outcome in outcomes if outcome is not None and outcome.tree is not None])
    done = [run for run in runs if run is not None]
    if done:
        paths = [node.path for node in done[0].subtree if node.path not in ("/", "/summary")]
        for path in paths:
            parts = with_run_durations([run[path].to_dataset(inherit=False)
                                        if run is not None and path in _paths(run) else None for run in runs])
            groups[path] = _stack(grid, parts, {})
        for name in populations(done[0]):  # the first run's size and model; a duration that differs is a variable
            stacked = groups[f"/{name}"]
            stacked.attrs = {key: value for key, value in done[0][name].dataset.attrs.items()
                             if key not in stacked.variables}
    return xr.DataTree.from_dict(groups)


def check_population_sizes(record: str, sizes: list[tuple[str, dict[str, int]]]) -> None:
    """Refuse runs whose populations differ in size when their spikes or traces are stacked (``record`` other
    than ``"summary"``): a stacked group has one ``cell`` dimension and one ``size``. ``sizes`` gives each run's
    (or grid point's) population sizes, after a text that names it."""
    if record == "summary":
        return
    seen: dict[str, tuple[int, str]] = {}
    for where, run_sizes in sizes:
        for name, size in run_sizes.items():
            first_size, first_where = seen.setdefault(name, (size, where))
            if size != first_size:
                raise ConfigError(f"record {record!r}: population {name!r} has {first_size} neurons at {first_where} "
                                  f"and {size} at {where}; runs of different sizes do not stack into one group: "
                                  "record 'summary', or sweep each size on its own")


def _paths(run: xr.DataTree) -> set[str]:
    return {node.path for node in run.subtree}


def _stack(grid: Grid, parts: list[xr.Dataset | None], coords: dict, concat_coords: str = "different") -> xr.Dataset:
    """Concatenate per-run datasets (None for a run without one) and fold the runs into the grid's dimensions.

    ``concat_coords`` as for ``xr.concat``: summaries take ``"minimal"`` (a failed run's summary has no
    ``population`` or ``check``: they align as missing values)."""
    present = [k for k, part in enumerate(parts) if part is not None]
    if not present:
        return xr.Dataset(coords=coords)
    flat = xr.concat([index_dimensions(parts[k]) for k in present], dim=RUN, join="outer", data_vars="all",
                     coords=concat_coords, compat="equals", combine_attrs="drop_conflicts")
    flat = flat.assign_coords({RUN: present}).reindex({RUN: np.arange(len(parts))})
    shape = grid.shape
    variables = {}
    for name, var in flat.variables.items():
        if name == RUN:
            continue
        if RUN in var.dims:
            var = var.transpose(RUN, ...)
            variables[name] = (grid.dims + var.dims[1:], var.values.reshape(shape + var.shape[1:]), var.attrs)
        else:
            variables[name] = var
    data_vars = {n: v for n, v in variables.items() if n not in flat.coords}
    own_coords = {n: v for n, v in variables.items() if n in flat.coords}
    return xr.Dataset(data_vars, coords={**own_coords, **coords}, attrs=flat.attrs)


def _stack_alike(grid: Grid, parts: list[xr.Dataset | None], coords: dict) -> xr.Dataset | None:
    """What :func:`_stack` makes of summaries, made with numpy alone when every run has one and all hold
    the same variables along the same coordinates (every run ok, as in most sweeps): no alignment to do.
    None otherwise (a failed or missing run: its gaps are left to ``xr.concat``)."""
    if not parts or any(part is None for part in parts):
        return None
    first = parts[0]
    layout = [(name, var.dims) for name, var in first.variables.items()]
    for part in parts[1:]:
        if [(name, var.dims) for name, var in part.variables.items()] != layout or any(
                not np.array_equal(part.indexes[dim], index) for dim, index in first.indexes.items()):
            return None
    data_vars = {name: (grid.dims + var.dims, np.stack([part.variables[name].values for part in parts])
                        .reshape(grid.shape + var.shape), var.attrs)
                 for name, var in first.data_vars.items()}
    return xr.Dataset(data_vars, coords={**first.coords, **coords})


def _coordinates(grid: Grid) -> dict:
    """The swept values (with units) along each axis, and the seeds."""
    coords = {}
    for axis in grid.axes:
        for parameter in axis.parameters:
            values = np.asarray(parameter.values)
            attrs = {"long_name": f"swept {parameter.path}", "path": parameter.path}
            if parameter.unit is not None:
                attrs["units"] = parameter.unit
            elif values.dtype.kind in "iuf":
                attrs["units"] = "1"
            coords[parameter.name] = (axis.name, values, attrs)
    coords["seed"] = ("seed", np.asarray(grid.seeds, dtype=np.int64), {"long_name": "master random seed"})
    return coords

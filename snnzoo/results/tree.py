"""Turn recorded populations into an ``xarray.DataTree`` and store it as netCDF.

Layout (DESIGN.md section 5): one group per population holding ``(time, neuron)``
state variables with CF ``units``, spikes as ``spike_time``/``spike_neuron`` along
``spike``, and ``spike_count`` along ``cell``. The root holds the provenance.

``spike`` has an integer index coordinate (0, 1, ...), so results of several runs
combine with plain xarray: ``xr.concat`` and ``xr.open_mfdataset(...,
combine="nested", concat_dim="seed")`` align the spike lists on that index and pad
the shorter ones with NaN (a NaN ``spike_time`` is padding, not a spike). One
run's file and a stack of runs therefore share one layout; :func:`open_results`
stacks whole result files.
"""

from __future__ import annotations

import contextlib
import glob
import json
import numbers
import os
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pint
import xarray as xr

from ..errors import ConfigError, SnnzooError, a_or_an
from ..safe_write import write_atomically
from ..units import as_data, show
from . import analysis  # noqa: F401  (registers the ``ds.snn`` accessor on opened results)
from . import netcdf_writer, xarray_dask  # noqa: F401  (xarray_dask: xarray's dask checks without dask)
from .recording import PopulationRecord, StateRecord

PROVENANCE_KEY = "snnzoo_provenance_json"
CONVENTIONS = "CF-1.8"
DEFAULT_TITLE = "snnzoo simulation result"
_INT64 = np.iinfo(np.int64)

DURATION_ATTRIBUTE = "duration_seconds"
"""The simulated duration (s) every population group holds, so that rates come from a group alone."""


def build_result(
    populations: list[PopulationRecord],
    provenance: Mapping[str, Any],
    *,
    duration: float | None = None,
    projections: Sequence = (),
) -> xr.DataTree:
    """One group per population, provenance in the root attributes, and each of ``projections``
    under ``/projections`` (:func:`projection_groups`).

    ``duration`` is the simulated time span in seconds (default: the number
    ``provenance["duration"]``, if any); it is stored in every group as
    ``duration_seconds`` so rates can be computed from a group alone.
    """
    if duration is None and isinstance(provenance.get("duration"), (int, float)):
        duration = float(provenance["duration"])
    if duration is not None and not (np.isfinite(duration) and duration > 0):
        raise ConfigError(f"duration: expected a positive number of seconds, got {show(duration)}")
    names = [population.name for population in populations]
    for name in names:
        if not name or "/" in name:
            raise ConfigError(f"population name {name!r} must be non-empty and contain no '/'")
        if names.count(name) > 1:
            raise ConfigError(f"population name {name!r} is used more than once")
    groups = {population.name: _population_dataset(population, duration) for population in populations}
    root = xr.Dataset(attrs=_root_attributes(provenance))
    if projections:
        groups |= projection_groups(projections, float(root.attrs["dt"]))
    return xr.DataTree.from_dict({"/": root, **groups})  # one tree made at once: each group added later copies it


def projection_groups(projections: Sequence, dt: float) -> dict[str, xr.Dataset]:
    """The groups of each projection's synapses, by path: ``projections/<name>`` with ``pre``, ``post``,
    ``weight`` (with units) and ``delay`` (s) along ``synapse`` (a weight or delay the projection
    stores once, :func:`_stored`, is one value); for a synapse model also the final state
    variables (``weight`` is its ``w``, always per synapse), and each synapse monitor in a
    subgroup ``projections/<name>/<monitor>``. ``dt`` is the time step (s)."""
    groups = {}
    for proj in projections:
        weights = proj.synapses.weights
        if proj.plastic is not None:  # state of the synapse model: one value per synapse
            weights = np.broadcast_to(weights, (proj.size,))
        path = f"projections/{proj.name}"
        groups[path] = xr.Dataset(
            {
                "pre": ("synapse", proj.synapses.pre, {"units": "1", "long_name": f"presynaptic index in {proj.source.name}"}),
                "post": ("synapse", proj.synapses.post.astype(np.int32), {"units": "1", "long_name": f"postsynaptic index in {proj.target.name}"}),
                "weight": _stored(weights, {"units": proj.unit, "long_name": f"synaptic weight ({proj.statement})"}),
                "delay": _stored(proj.delay_steps * dt, {"units": "s", "long_name": "synaptic delay"}),
            },
            attrs={"source": proj.source.name, "target": proj.target.name, "on": proj.statement},
        )
        if proj.plastic is not None:
            group = groups[path].assign(synapse_state_variables(proj))
            group.attrs["synapse_model"] = proj.plastic.model.name
            groups[path] = group
            monitors = synapse_monitor_datasets(proj, dt)
            groups.update({f"{path}/{name}": ds for name, ds in monitors.items()})
    return groups


def synapse_state_variables(projection) -> dict[str, tuple]:
    """The final per-synapse state of a projection's synapse model, as xarray variables (``w`` is ``weight``)."""
    state = projection.plastic  # the projection's SynapticState
    out = {}
    for name in state.model.state_variables + sorted(state.per_synapse & set(state.model.parameters)):
        if name == "w":
            continue
        values = np.broadcast_to(state.values[name], projection.synapses.post.shape)
        out[name] = ("synapse", values.copy(), {"units": state.unit(name), "long_name": f"{name} at the end of the run"})
    return out


def synapse_monitor_datasets(projection, dt: float) -> dict[str, xr.Dataset]:
    """One dataset per synapse monitor: ``(time, recorded_synapse)`` variables with CF units; the ``recorded_synapse`` coordinate holds the
    synapse numbers (the parent group's ``synapse`` index), with their ``pre`` and ``post`` neurons alongside."""
    state = projection.plastic  # the projection's SynapticState
    groups = {}
    for mon in state.monitors:
        data = mon.samples if mon.samples is not None else np.zeros((0, len(mon.variables), mon.synapses.size))
        times = np.arange(data.shape[0]) * mon.every * dt
        dims = ("time", "recorded_synapse")
        variables = {v: (dims, data[:, c, :], {"units": state.unit(v), "long_name": f"{v} of {projection.name}"})
                     for c, v in enumerate(mon.variables)}
        source, target = projection.source.name, projection.target.name
        groups[mon.name] = xr.Dataset(variables, coords={
            "time": ("time", times, {"units": "s", "long_name": "simulated time"}),
            "recorded_synapse": ("recorded_synapse", mon.synapses, {"units": "1", "long_name": "synapse index"}),
            "pre": ("recorded_synapse", projection.synapses.pre[mon.synapses],
                    {"units": "1", "long_name": f"presynaptic index in {source}"}),
            "post": ("recorded_synapse", projection.synapses.post[mon.synapses].astype(np.int32),
                     {"units": "1", "long_name": f"postsynaptic index in {target}"})})
    return groups


def _stored(values: np.ndarray, attrs: dict[str, str]) -> tuple:
    """A weight or delay as the projection holds it: one value when it holds one for every synapse
    (given as one value, or a single synapse), else one per synapse, however many synapses."""
    return ((), values.reshape(()), attrs) if values.size == 1 else ("synapse", values, attrs)


def populations(tree: xr.DataTree) -> dict[str, xr.Dataset]:
    """The population (and spike source) groups of a result, by name."""
    return {name: node.to_dataset() for name, node in tree.children.items() if "spike_count" in node.dataset}


def _population_dataset(population: PopulationRecord, duration: float | None) -> xr.Dataset:
    if population.size < 0:
        raise ConfigError(f"population {population.name!r}: size must be >= 0, got {population.size}")
    if population.labels is not None and len(population.labels) != population.size:
        raise ConfigError(
            f"population {population.name!r}: {len(population.labels)} labels for {population.size} neurons"
        )
    parts = [_spike_variables(population)] + [
        _state_variables(population, record, index) for index, record in enumerate(population.states)
    ]
    variables: dict[str, tuple] = {}
    coords: dict[str, tuple] = {}
    for part_variables, part_coords in parts:  # on dimensions of their own: one dataset made at once, no merge
        clashes = sorted((set(variables) | set(coords)) & (set(part_variables) | set(part_coords)))
        if clashes:
            raise ConfigError(
                f"population {population.name!r}: names {clashes} are used twice (rename a variable or a record)"
            )
        variables |= part_variables
        coords |= part_coords
    attrs = {"population": population.name, "size": int(population.size), "model": population.model}
    if duration is not None:
        attrs[DURATION_ATTRIBUTE] = float(duration)
    return xr.Dataset(variables, coords=coords, attrs=attrs)


def _spike_variables(population: PopulationRecord) -> tuple[dict[str, tuple], dict[str, tuple]]:
    """The spike list and counts of ``population``: its variables and coordinates (``spike``, ``cell``)."""
    times = np.asarray(population.spike_times, dtype=np.float64)
    neurons = np.asarray(population.spike_neurons)
    if times.ndim != 1 or times.shape != neurons.shape:
        raise ConfigError(
            f"population {population.name!r}: spike_times {times.shape} and "
            f"spike_neurons {neurons.shape} must be 1-D and of equal length"
        )
    _check_indices(neurons, population, "spike_neurons")
    order = np.lexsort((neurons, times))
    # The engine may attach the counts it kept in the kernel (not a declared field of PopulationRecord yet).
    counts = getattr(population, "spike_counts", None)
    if counts is None:
        counts = np.bincount(neurons.astype(np.int64), minlength=population.size)
    elif np.shape(counts) != (population.size,):
        raise ConfigError(f"population {population.name!r}: spike_counts must have one entry per neuron")
    return (
        {
            "spike_time": ("spike", times[order], {"units": "s", "long_name": "spike time"}),
            "spike_neuron": ("spike", neurons[order].astype(np.int32), {"units": "1", "long_name": "index of the spiking neuron"}),
            "spike_count": ("cell", counts.astype(np.int64), {"units": "1", "long_name": "number of spikes"}),
        },
        {"cell": ("cell", np.arange(population.size, dtype=np.int32), {"units": "1", "long_name": "neuron index"}),
         "spike": ("spike", np.arange(times.size, dtype=np.int64), {"units": "1", "long_name": "spike index"})},
    )


def _state_variables(population: PopulationRecord, record: StateRecord,
                     index: int) -> tuple[dict[str, tuple], dict[str, tuple]]:
    """The samples of one state record of ``population`` (the ``index``-th): its variables and coordinates
    (``time``, ``neuron``, and ``label`` with labels, suffixed by the record's name after the first record)."""
    suffix = "" if index == 0 else f"_{record.name}"
    time_dim, neuron_dim = f"time{suffix}", f"neuron{suffix}"
    where = f"population {population.name!r}, record {record.name!r}"
    times = np.asarray(record.times, dtype=np.float64)
    neurons = np.asarray(record.neurons)
    if times.ndim != 1 or neurons.ndim != 1:
        raise ConfigError(f"{where}: times and neurons must be 1-D")
    _check_indices(neurons, population, f"record {record.name!r} neurons")
    if len(np.unique(neurons)) != len(neurons):
        raise ConfigError(f"{where}: neurons must not repeat")
    coords: dict[str, Any] = {
        time_dim: (time_dim, times, {"units": "s", "long_name": "simulated time"}),
        neuron_dim: (neuron_dim, neurons.astype(np.int32), {"units": "1", "long_name": "neuron index"}),
    }
    if population.labels is not None:
        coords[f"label{suffix}"] = (neuron_dim, np.asarray(population.labels, dtype=str)[neurons],
                                    {"long_name": "neuron label"})
    variables = {}
    for variable, values in record.data.items():
        values = np.asarray(values)  # float32 samples of a single-precision run stay float32
        values = values if values.dtype == np.float32 else values.astype(np.float64)
        if values.shape != (len(times), len(neurons)):
            raise ConfigError(
                f"{where}: {variable!r} has shape {values.shape}, expected {(len(times), len(neurons))}"
            )
        if variable not in record.units:
            raise ConfigError(f"{where}: no unit given for {variable!r}")
        attrs = {"units": record.units[variable], "long_name": f"{variable} of {population.name}"}
        variables[f"{variable}{suffix}"] = ((time_dim, neuron_dim), values, attrs)
    clashes = sorted(set(variables) & set(coords))
    if clashes:
        raise ConfigError(f"{where}: variable names {clashes} are reserved for coordinates")
    return variables, coords


def _check_indices(neurons: np.ndarray, population: PopulationRecord, what: str) -> None:
    if neurons.size and (
        not np.issubdtype(neurons.dtype, np.integer) or neurons.min() < 0 or neurons.max() >= population.size
    ):
        raise ConfigError(
            f"population {population.name!r}: {what} must be integers in 0..{population.size - 1}"
        )


def _root_attributes(provenance: Mapping[str, Any]) -> dict[str, Any]:
    """Flatten provenance into netCDF-storable attributes plus the exact JSON copy (keys in the order
    given: an experiment's populations and projections are built, and draw their random numbers, in
    the order of its file, so a rebuilt experiment needs that order to reproduce the run)."""
    plain = _jsonable(dict(provenance), "provenance")
    attrs: dict[str, Any] = {"title": DEFAULT_TITLE}
    for key, value in plain.items():
        storable = isinstance(value, (str, float)) or (
            isinstance(value, int) and not isinstance(value, bool) and _INT64.min <= value <= _INT64.max
        )
        attrs[key] = value if storable else json.dumps(value)
    attrs["Conventions"] = CONVENTIONS
    attrs[PROVENANCE_KEY] = json.dumps(plain)
    return attrs


def _jsonable(value: Any, where: str) -> Any:
    """A JSON-ready copy: numpy values become numbers/lists, quantities ``{"value", "unit"}`` data."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, str):
                raise ConfigError(f"{where}: keys must be strings, got {key!r}")
        return {key: _jsonable(item, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    if isinstance(value, pint.Quantity):
        return as_data(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise ConfigError(f"{where}: cannot store {a_or_an(type(value).__name__)} in provenance ({value!r})")


def write_netcdf(tree: xr.DataTree, path: str | os.PathLike) -> Path:
    """Write ``tree`` to ``path`` (netCDF4, zlib level 1) atomically and return the path.

    A projection's weight or delay shared by all its synapses is stored once (no ``synapse`` dim).
    The file is made in memory and placed atomically (:mod:`snnzoo.safe_write`).
    """
    return write_atomically(path, lambda: netcdf_bytes(tree))


HDF5_CALLS = threading.Lock()
"""Held around every netCDF read and write: the HDF5 library under netCDF4 is not thread-safe, and
a dask worker runs several sweep runs in threads of one process."""


def netcdf_bytes(tree: xr.DataTree | Mapping[str, xr.Dataset]) -> bytes:
    """The netCDF4 file of ``tree`` (zlib level 1 on numeric variables), made in memory: by
    :mod:`.netcdf_writer` when the tree holds only what it writes (a result does), else by xarray.
    ``tree`` may be given as its groups (see :func:`.netcdf_writer.netcdf_bytes`)."""
    with HDF5_CALLS:
        direct = netcdf_writer.netcdf_bytes(tree)
    if direct is not None:
        return direct
    if not isinstance(tree, xr.DataTree):
        tree = xr.DataTree.from_dict(tree)
    encoding = {node.path: _encoding(node.to_dataset(inherit=False)) for node in tree.subtree}
    with HDF5_CALLS, _distributed_unloaded_stays_unloaded():
        return bytes(tree.to_netcdf(engine="netcdf4", encoding=encoding))


@contextlib.contextmanager
def _distributed_unloaded_stays_unloaded() -> Iterator[None]:
    """Before every write xarray asks dask which scheduler is active (it matters for dask
    arrays only, and a result holds none), and dask imports ``distributed`` to answer: 0.37 s
    of a process's first write. While ``distributed`` is not loaded, it cannot be imported during
    the write (both ask inside ``try ... except ImportError``); once loaded (a dask client or
    worker in this process), nothing changes."""
    hidden = [name for name in ("distributed", "dask.distributed") if name not in sys.modules]
    sys.modules.update(dict.fromkeys(hidden))  # None: "import name" raises ImportError
    try:
        yield
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


def _encoding(dataset: xr.Dataset) -> dict[str, dict[str, Any]]:
    """Compression for numeric arrays; text (labels) as CF character arrays, not variable-length strings."""
    encoding: dict[str, dict[str, Any]] = {}
    for name, var in dataset.variables.items():
        if var.dtype.kind in "US":
            encoding[name] = {"dtype": "S1", "char_dim_name": f"{name}_length"}
        elif name in dataset.data_vars and var.ndim > 0 and var.dtype.kind in "iuf":
            encoding[name] = {"zlib": True, "complevel": 1}
    return encoding


def open_result(path: str | os.PathLike) -> xr.DataTree:
    """Read a result written by :func:`write_netcdf` fully into memory."""
    source = Path(path).expanduser()
    if source.is_dir() and (source / "sweep.nc").is_file():
        raise SnnzooError(f"cannot open result {source}: it is a sweep's folder; {source / 'sweep.nc'} holds all its "
                          "runs (xarray.open_datatree, or open_dataset for per-run summaries), and "
                          f"open_results('{source / 'runs' / '*.nc'}', dim='run') stacks its run files")
    if not source.is_file():
        raise SnnzooError(f"cannot open result {source}: {'it is a folder' if source.is_dir() else 'no such file'}")
    try:
        with HDF5_CALLS, xr.open_datatree(source, engine="netcdf4", decode_timedelta=False) as tree:
            tree.load()
    except Exception as error:  # netCDF4 and xarray raise many kinds for unreadable files
        raise SnnzooError(f"cannot open result {source}: not a readable netCDF file ({error})") from None
    try:
        provenance(tree)
    except SnnzooError as error:
        raise SnnzooError(f"cannot open result {source}: {error}") from None
    return tree.map_over_datasets(_text_as_str)


def _text_as_str(dataset: xr.Dataset) -> xr.Dataset:
    """Labels stored as character arrays come back as numpy strings, as they were written."""
    text = [name for name, var in dataset.variables.items() if var.dtype == object]
    return dataset.assign({name: dataset[name].astype(str) for name in text if name in dataset.data_vars}) \
        .assign_coords({name: dataset[name].astype(str) for name in text if name in dataset.coords})


def open_results(paths: str | os.PathLike | Sequence[str | os.PathLike], dim: str = "seed",
                 values: Sequence[Any] | None = None) -> xr.DataTree:
    """Stack result files along a new dimension ``dim`` into one tree.

    ``paths`` is a list of files or one glob pattern (``"runs/*.nc"``, files in sorted
    order). The coordinate of ``dim`` is ``values``, or by default each file's ``seed``
    (for ``dim="seed"``) or 0, 1, ... Every group is concatenated with plain
    ``xr.concat``; spike lists (and other unindexed dimensions whose length
    differs) are padded with NaN. The files must come from the same experiment
    (same populations); the root keeps the first file's provenance and adds the
    per-run ``source_file``, and ``precision`` and ``complete`` per run when they differ.
    """
    files = _result_files(paths)
    if not isinstance(dim, str) or not dim.isidentifier():
        raise SnnzooError(f"open_results: dim must be a name for the new dimension, like 'seed', got {dim!r}")
    trees = [open_result(path) for path in files]
    for path, tree in zip(files, trees):
        failure = _failed_run(tree)
        if failure is not None:
            raise SnnzooError(f"open_results: {path} records a sweep's run that gave no data ({failure}); leave it "
                              "out (the sweep's sweep.nc has every run's status and error)")
    taken = {name for node in trees[0].subtree for name in (*node.dataset.dims, *node.dataset.variables, node.name)}
    if dim in taken:
        raise SnnzooError(f"open_results: dim {dim!r} is already a group, dimension or variable of {files[0]}; "
                          "choose a new name")
    given_values = values is not None
    if values is None:
        values = [provenance(tree).get("seed") for tree in trees] if dim == "seed" else list(range(len(trees)))
    values = _run_values(values, len(trees), dim)
    groups = [node.path for node in trees[0].subtree if node.path != "/"]
    for path, tree in zip(files[1:], trees[1:]):
        other = [node.path for node in tree.subtree if node.path != "/"]
        if other != groups:
            extra, missing = sorted(set(other) - set(groups)), sorted(set(groups) - set(other))
            differ = "; ".join(part for part in (extra and f"{path} also holds {extra}",
                                                 missing and f"it lacks {missing}") if part) or "in another order"
            raise SnnzooError(f"open_results: {path} and {files[0]} hold different groups ({differ}); only results "
                              "with the same groups stack (a sweep's run files also hold /summary, a 'snnzoo run' "
                              "result does not)")
    _check_same_sizes(files, trees)
    runs = xr.DataArray(values, dims=dim, name=dim, attrs=_run_coordinate_attributes(dim, given_values))
    root = xr.Dataset({"source_file": (dim, [str(path) for path in files], {"long_name": "result file"})},
                      coords={dim: runs}, attrs=dict(trees[0].attrs))
    for name, attrs in RUN_ATTRIBUTES.items():  # what differs from run to run is data along dim, not the first file's
        found = [tree.attrs.get(name) for tree in trees]
        if any(value != found[0] for value in found):
            root[name] = (dim, np.array(found), attrs)
            del root.attrs[name]
    stacked = {"/": root}
    for group in groups:
        parts = with_run_durations([index_dimensions(tree[group].to_dataset(inherit=False)) for tree in trees])
        stacked[group] = xr.concat(parts, dim=runs, join="outer",
                                   data_vars="all", coords="different", compat="equals",
                                   combine_attrs="drop_conflicts")
    return xr.DataTree.from_dict(stacked)


def _failed_run(tree: xr.DataTree) -> str | None:
    """How the run of a sweep's run file failed (its status and error), or None for a file that holds a run's
    data: a failed or lost run is stored with its ``/summary`` group alone."""
    if "summary" not in tree.children or populations(tree):
        return None
    summary = tree["summary"].dataset
    status = str(summary["status"].values) if "status" in summary else "no status"
    error = str(summary["error"].values) if "error" in summary else ""
    return f"status {status!r}" + (f": {error}" if error else "")


def _check_same_sizes(files: list[Path], trees: list[xr.DataTree]) -> None:
    """Refuse files whose populations differ in size: a stacked group has one ``cell`` dimension and one ``size``
    (the smaller runs' cells were padded with NaN, and the group lost its ``size``, which the ``.snn`` accessor needs)."""
    first = {name: ds.attrs.get("size") for name, ds in populations(trees[0]).items()}
    for path, tree in zip(files[1:], trees[1:]):
        for name, ds in populations(tree).items():
            if ds.attrs.get("size") != first.get(name):
                raise SnnzooError(f"open_results: population {name!r} has {first.get(name)} neurons in {files[0]} and "
                                  f"{ds.attrs.get('size')} in {path}; results of different sizes do not stack into one "
                                  "group (open them one by one)")


RUN_ATTRIBUTES = {
    "precision": {"long_name": "floating-point precision of the run"},
    "complete": {"units": "1", "long_name": "whether the run reached its end (1) or was interrupted (0)"},
}
"""Root attributes that describe one run: stacked files whose values differ get them as variables along the runs."""


def _run_coordinate_attributes(dim: str, given: bool) -> dict[str, str]:
    """CF attributes of the coordinate of stacked runs: the seeds or run numbers it holds by default,
    or values given by the caller, whose unit snnzoo does not know."""
    if given:
        return {"long_name": f"{dim} of each run"}
    if dim == "seed":
        return {"units": "1", "long_name": "master random seed of each run"}
    return {"units": "1", "long_name": "run number"}


def _run_values(values: Any, count: int, dim: str) -> list:
    """``values`` as the coordinate of ``count`` stacked runs: one distinct number or text per run."""
    if isinstance(values, (str, bytes)) or np.ndim(values) != 1:
        raise SnnzooError(f"open_results: values: expected a list of {count} numbers or names, one per file, "
                          f"got {values!r}")
    values = list(values)
    if len(values) != count:
        raise SnnzooError(f"open_results: {len(values)} values for {count} files")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (numbers.Real, str)) or value != value:
            raise SnnzooError(f"open_results: the {dim} value {value!r} is not a number or a name; pass values= "
                              f"with one for each file")
    if any(first == second for k, first in enumerate(values) for second in values[k + 1:]):
        raise SnnzooError(f"open_results: the {dim} values {list(values)} repeat; pass distinct values=")
    return values


def _result_files(paths: str | os.PathLike | Sequence[str | os.PathLike]) -> list[Path]:
    """The files ``paths`` names: a list of paths, one path, or one glob pattern."""
    if isinstance(paths, (str, os.PathLike)):
        pattern = os.path.expanduser(os.fspath(paths))
        if any(character in pattern for character in "*?["):
            matches = sorted(glob.glob(pattern))
            if not matches:
                raise SnnzooError(f"open_results: no file matches {pattern}")
            return [Path(match) for match in matches]
        paths = [pattern]
    if not isinstance(paths, Sequence) or not all(isinstance(path, (str, os.PathLike)) for path in paths):
        raise SnnzooError(f"open_results: expected result files (a list of paths or a glob pattern), got {paths!r}")
    if not paths:
        raise SnnzooError("open_results: give at least one result file")
    files = [Path(path).expanduser() for path in paths]
    seen: dict[Path, Path] = {}
    for file in files:  # one run counted twice would weigh twice in every statistic over the runs
        first = seen.setdefault(file.resolve(), file)
        if first is not file:
            raise SnnzooError(f"open_results: {file} is given twice" + ("" if str(first) == str(file) else
                                                                         f" (also as {first})"))
    return files


def with_run_durations(parts: list[xr.Dataset | None]) -> list[xr.Dataset | None]:
    """One group of several runs (None: a run without it), ready to be stacked: if the runs' durations
    differ, each holds its ``duration_seconds`` as a variable, which stacks along the runs, instead of
    the attribute (stacking would drop it, or keep the first run's)."""
    durations = {part.attrs.get(DURATION_ATTRIBUTE) for part in parts if part is not None}
    if len(durations) < 2:
        return parts
    stackable = []
    for part in parts:
        if part is not None:
            attrs = {name: value for name, value in part.attrs.items() if name != DURATION_ATTRIBUTE}
            part = part.assign({DURATION_ATTRIBUTE: ((), float(part.attrs.get(DURATION_ATTRIBUTE, np.nan)),
                                                     {"units": "s", "long_name": "simulated duration of the run"})})
            part.attrs = attrs
        stackable.append(part)
    return stackable


def index_dimensions(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with an integer index on every dimension that has none, so runs align by position
    (with CF attributes, as every index of a result has)."""
    return ds.assign_coords({name: (name, np.arange(size), {"units": "1", "long_name": f"{name} index"})
                             for name, size in ds.sizes.items() if name not in ds.indexes})


def differences(recorded: xr.DataTree, rerun: xr.DataTree) -> list[str]:
    """Where ``rerun`` fails to reproduce ``recorded``: every variable of every group that ``recorded``
    holds must be there with the same dtype, shape and values (NaN equal to NaN); empty if it is.

    Attributes are not compared (provenance holds wall-clock times); what ``recorded`` left out
    (a sweep may keep only spike counts) is not compared either.
    """
    rerun_nodes = {node.path: node for node in rerun.subtree}
    found = []
    for node in recorded.subtree:
        if node.path not in rerun_nodes:
            found.append(f"group {node.path} is missing")
            continue
        mine, theirs = node.to_dataset(inherit=False), rerun_nodes[node.path].to_dataset(inherit=False)
        for name, variable in mine.variables.items():
            if name not in theirs.variables:
                found.append(f"{node.path}/{name} is missing")
            elif not (variable.dtype == theirs[name].dtype and np.array_equal(
                    variable.values, theirs[name].values, equal_nan=variable.dtype.kind in "fc")):
                found.append(f"{node.path}/{name} differs")
    return found


def provenance(tree: xr.DataTree) -> dict[str, Any]:
    """The provenance dict stored in the root of a result, exactly as it was given."""
    text = tree.attrs.get(PROVENANCE_KEY)
    if not isinstance(text, str):
        raise SnnzooError(f"not a snnzoo result (no {PROVENANCE_KEY!r} attribute)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise SnnzooError(f"not a snnzoo result ({PROVENANCE_KEY!r} is not valid JSON: {error})") from None

"""A result tree's netCDF4 file written with netCDF4 directly: the file xarray writes, faster.

xarray's writer goes through its encoders for every variable and writes each one's data right
after defining it (netCDF then stores the metadata defined so far at each write); here every
group and variable is defined first, then all data written. A result holds only plain numeric and
text arrays with index coordinates, whose CF encoding is short: every float variable has a
NaN ``_FillValue``, text is a UTF-8 character array along ``NAME_length`` with
``_Encoding = "utf-8"``, numeric data variables (not coordinates, not scalars) are
compressed (zlib level 1 with shuffle, netCDF's default chunks), and dimensions are made in
the order the variables first use them (a zero-length one is unlimited, as xarray makes it; a
group uses an ancestor's dimension of the same size). A coordinate that is not an index (a
population's neuron ``label``) is named, as xarray names it, in the ``coordinates`` attribute of
every other variable whose dimensions include its own (names sorted), or in the group's
``coordinates`` attribute when no variable has them.
:func:`netcdf_bytes` returns None for a tree holding anything else (an encoding read from a
file, other dtypes or attributes): xarray writes those.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr

_TEXT_ENCODING = "utf-8"
_RESERVED_ATTRIBUTES = frozenset({"_FillValue", "_Encoding", "coordinates", "missing_value", "dtype",
                                  "calendar", "scale_factor", "add_offset", "_Unsigned"})


def netcdf_bytes(tree: xr.DataTree | Mapping[str, xr.Dataset]) -> bytes | None:
    """The netCDF4 file of ``tree`` made in memory, or None when xarray must write it (see the module docstring).
    ``tree`` may also be its groups, ``{path: dataset}`` as :meth:`xarray.DataTree.from_dict` takes them with
    the root ``"/"`` first and parents before children (no tree made only to be written). The caller holds
    the HDF5 lock."""
    import netCDF4

    groups = [(node.path, node.to_dataset(inherit=node is tree)) for node in tree.subtree] \
        if isinstance(tree, xr.DataTree) else list(tree.items())
    if not all(_plain(dataset) for _, dataset in groups):
        return None
    file = netCDF4.Dataset("<snnzoo-in-memory-write>", mode="w", format="NETCDF4", memory=0, diskless=False)
    file.set_fill_off()  # every variable is written whole: HDF5 need not fill it first
    try:
        # Everything is defined before any data is written: netCDF leaves define mode at each write and
        # stores the metadata defined so far, so defining and writing in turns stored it once per variable.
        filled = [item for path, dataset in groups
                  for item in _define_group(file if path == "/" else file.createGroup(path), dataset)]
        for variable, data in filled:
            if data.ndim == 0:
                variable.assignValue(data)
            else:
                variable[:] = data
    except BaseException:
        file.close()
        raise
    return bytes(file.close())


def _plain(dataset: xr.Dataset) -> bool:
    """Whether every variable and attribute of ``dataset`` is of the kinds this writer encodes as xarray does."""
    for name, var in dataset.variables.items():
        if var.encoding or (name in dataset.dims and var.dims != (name,)) or not _plain_attributes(var.attrs) \
                or set(var.attrs) & _RESERVED_ATTRIBUTES or not _plain_dtype(var.dtype) \
                or (var.dtype.kind == "U" and var.size == 0):
            return False
    extra = _non_index_coordinates(dataset)
    if any(not isinstance(name, str) or " " in name for name in extra) or (extra and "coordinates" in dataset.attrs):
        return False  # xarray warns and writes such a coordinate as a data variable, or drops the group's list
    return _plain_attributes(dataset.attrs)


def _non_index_coordinates(dataset: xr.Dataset) -> set:
    return set(dataset.coords) - set(dataset.dims)


def _with_coordinate_attributes(dataset: xr.Dataset) -> tuple[dict[str, dict], dict]:
    """Every variable's attributes and the group's, with the ``coordinates`` attributes xarray writes
    for the coordinates that are not an index (see the module docstring)."""
    extra = _non_index_coordinates(dataset)
    attributes, named = {}, set()
    for name, var in dataset.variables.items():
        attributes[name] = dict(var.attrs)
        coordinates = sorted(coordinate for coordinate in extra if name not in extra and name not in var.dims
                             and set(dataset.variables[coordinate].dims) <= set(var.dims))
        if coordinates:
            attributes[name]["coordinates"] = " ".join(coordinates)
            named.update(coordinates)
    group = dict(dataset.attrs)
    if extra - named:
        group["coordinates"] = " ".join(sorted(extra - named))
    return attributes, group


def _plain_dtype(dtype: np.dtype) -> bool:
    if not dtype.isnative:
        return False
    return dtype.kind == "U" or (dtype.kind in "iu" and dtype.itemsize in (1, 2, 4, 8)) \
        or (dtype.kind == "f" and dtype.itemsize in (4, 8))


def _plain_attributes(attrs: dict) -> bool:
    return all(isinstance(key, str) and _plain_attribute(value) for key, value in attrs.items())


def _plain_attribute(value: Any) -> bool:
    if isinstance(value, (str, float, np.floating)):
        return True
    if isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return -2**63 <= int(value) < 2**63
    return isinstance(value, np.ndarray) and value.ndim == 1 and value.size > 0 and _plain_dtype(value.dtype) \
        and value.dtype.kind != "U"


def _define_group(group, dataset: xr.Dataset) -> list[tuple[Any, np.ndarray]]:
    """Define the group's attributes, dimensions and variables; the variables to fill, with their data."""
    attributes, group_attributes = _with_coordinate_attributes(dataset)
    for name, value in group_attributes.items():
        group.setncattr(name, value)
    encoded = {name: _encoded(name, var, attributes[name], name in dataset.data_vars)
               for name, var in dataset.variables.items()}
    inherited = _ancestor_dimensions(group)
    for name, (dims, data, _, _) in encoded.items():
        for dim, size in zip(dims, data.shape):
            if dim not in group.dimensions and inherited.get(dim) != size:
                group.createDimension(dim, size or None)
    filled = []
    for name, (dims, data, attrs, compressed) in encoded.items():
        fill = np.array(np.nan, dtype=data.dtype) if data.dtype.kind == "f" else None
        variable = group.createVariable(name, data.dtype, dims, zlib=compressed, complevel=1, shuffle=True,
                                        fill_value=fill)
        variable.setncatts(attrs)
        variable.set_auto_maskandscale(False)  # the data is written as it is, not masked first
        if data.size:
            filled.append((variable, data))
    return filled


def _ancestor_dimensions(group) -> dict[str, int]:
    """The sizes of the dimensions a group sees in its ancestors (the nearest one's): a group uses them, not its own."""
    sizes: dict[str, int] = {}
    while (group := group.parent) is not None:
        for name, dimension in group.dimensions.items():
            sizes.setdefault(name, len(dimension))
    return sizes


def _encoded(name: str, var: xr.Variable, attrs: dict,
             data_variable: bool) -> tuple[tuple[str, ...], np.ndarray, dict, bool]:
    """A variable with attributes ``attrs`` as stored: its dimensions, data, attributes and whether it is compressed."""
    data = np.asarray(var.values)
    if data.dtype.kind == "U":
        text = np.array([item.encode(_TEXT_ENCODING) for item in data.ravel()], dtype=bytes).reshape(data.shape)
        characters = text.reshape(text.shape + (1,)).view("S1")
        return (*var.dims, f"{name}_length"), characters, {**attrs, "_Encoding": _TEXT_ENCODING}, False
    return var.dims, data, attrs, data_variable and data.ndim > 0

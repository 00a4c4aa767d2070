"""What parsing a neuron model found, kept in the cache folder so that a warm run needs no sympy.

Parsing and dimension-checking a model's equations takes sympy (0.3 s to import it and
parse the models a plugin registers). Most of what a run needs from a model is plain data
its parse derives: the names and units of its variables, its parameter table, which names are
subexpressions. :func:`summary_key` hashes everything that parse depends on (every argument
the model was made with, snnzoo's source and the versions of Python, pint and sympy); the
first parse stores the summary under that key (``models/KEY.json``), and a model made again
from the same arguments reads it instead of parsing (:class:`snnzoo.language.model.NeuronModel`).

Only models the full parse once accepted have a summary, so bad input meets the full parse and
its error. Arguments the key cannot describe exactly (a timed array, an array of defaults,
objects of other types) give no key: such models are always parsed. A summary is checked
when read (its key, its format, every field's type, every unit parses); a damaged or stale file
is a miss and is rewritten.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import platform
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pint

from ..cache_folder import cache_root, snnzoo_digest
from ..errors import SnnzooError
from ..safe_write import write_atomically
from ..units import ureg

FORMAT = 1
"""The layout of a summary file; a file of another layout is a miss."""

LIST_FIELDS = ("state_variables", "variables", "linked_variables", "constant_variables", "unless_refractory",
               "subexpression_names", "noise_names", "parameter_subexpression_names")
"""The summary's lists of names, as the model's attributes of the same names."""


class _NotKeyable(Exception):
    """An argument the key cannot describe exactly."""


def summary_key(kind: str, arguments: dict[str, Any]) -> str | None:
    """The hash of a model's ``arguments`` (name -> what its constructor was given) and of
    everything else its parse depends on; None if an argument cannot be described exactly."""
    try:
        described = _described(arguments)
    except _NotKeyable:
        return None
    text = repr((FORMAT, kind, described, snnzoo_digest(), library_versions()))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@cache
def library_versions() -> tuple[str, ...]:
    """The versions of Python, pint and sympy (read from the installed metadata: sympy is not imported)."""
    try:
        sympy_version = version("sympy")
    except PackageNotFoundError:
        sympy_version = "none"
    return platform.python_version(), pint.__version__, sympy_version


def _described(value: Any) -> Any:
    """``value`` as plain, exactly comparable data (types included); :class:`_NotKeyable` for anything else."""
    if value is None or type(value) in (bool, int, float, str):
        return (type(value).__name__, value)
    if type(value) in (list, tuple):
        return (type(value).__name__, [_described(item) for item in value])
    if type(value) is dict:
        return ("dict", [(_described(key), _described(item)) for key, item in value.items()])
    if type(value) in (set, frozenset):
        return ("set", sorted(repr(_described(item)) for item in value))
    if dataclasses.is_dataclass(value) and type(value).__module__.startswith("snnzoo."):  # a Parameter
        return (type(value).__qualname__, [_described(getattr(value, field.name))
                                           for field in dataclasses.fields(value)])
    if isinstance(value, pint.Quantity):
        return ("Quantity", _described(scalar(value.magnitude)), str(value.units))
    raise _NotKeyable


def scalar(number: Any) -> Any:
    """One number as a Python number: pint keeps it as a 0-d array in a process that imported
    pint_xarray (whose registry forces arrays), and it is the same number; anything else as is."""
    if isinstance(number, np.ndarray) and number.ndim == 0 and number.dtype.kind in "iuf":
        return number.item()
    return number


def _path(key: str) -> Path:
    return cache_root() / "models" / f"{key}.json"


def read(key: str) -> dict[str, Any] | None:
    """The summary stored under ``key``, checked, with units as pint units; None if missing or damaged."""
    try:
        stored = json.loads(_path(key).read_text())
        if stored.pop("format") != FORMAT or stored.pop("key") != key:
            return None
        for field in LIST_FIELDS:
            if not all(isinstance(name, str) for name in stored[field]):
                return None
        stored["units"] = {name: ureg.Unit(text) for name, text in stored["units"].items()}
        for parameter in stored["parameters"]:
            parameter["unit"] = ureg.Unit(parameter["unit"])
            if not (isinstance(parameter["default"], (float, type(None))) and isinstance(parameter["name"], str)):
                return None
        magnitudes = stored["constant_magnitudes"]
        if magnitudes is not None and not all(len(found) == 3 and isinstance(found[0], str)
                                              and all(isinstance(x, float) for x in found[1:]) for found in magnitudes):
            return None
        period, integrator = stored["refractory_period"], stored["automatic_integrator"]
        if not (isinstance(period, (float, type(None))) and (integrator is None or (
                len(integrator) == 2 and all(isinstance(text, str) for text in integrator)))):
            return None
        return stored
    except Exception:  # noqa: BLE001 - missing, unreadable or damaged: parse the model
        return None


def save(key: str, summary: dict[str, Any]) -> None:
    """Store ``summary`` (units as pint units) under ``key``, unless a unit does not read back as
    itself from its text or a value is not plain JSON; an unusable cache folder is skipped."""
    units = [*summary["units"].values(), *(parameter["unit"] for parameter in summary["parameters"])]
    if not all(ureg.Unit(str(unit)) == unit and isinstance(unit, pint.Unit) for unit in units):
        return
    plain = {**summary, "format": FORMAT, "key": key,
             "units": {name: str(unit) for name, unit in summary["units"].items()},
             "parameters": [{**parameter, "unit": str(parameter["unit"])} for parameter in summary["parameters"]]}
    try:
        text = json.dumps(plain)
    except (TypeError, ValueError):  # a value JSON cannot hold as it is (an array default): parse every time
        return
    try:
        _path(key).parent.mkdir(parents=True, exist_ok=True)
        write_atomically(_path(key), text.encode)
    except (OSError, SnnzooError):
        pass  # the kernel cache reports an unusable cache folder

"""Stimuli and the drive primitives the engine understands.

A stimulus plugin is a class with ``name``, ``description`` and ``to_dict()``,
and one of:

- ``drives(size, unit)``: a list of drives feeding a variable. Drives are what
  the kernel executes: :class:`PiecewiseDrive` (values switching at given
  times, free between switches), :class:`FunctionDrive` (any function of time
  and neuron index, evaluated by numpy once per chunk of steps),
  :class:`GaussianDrive` (mean + std * N(0, 1) every step) and :class:`OUDrive`
  (an Ornstein-Uhlenbeck process). Several drives on one variable add up; a
  driven variable is overwritten at every step.
- ``source()``: a spike source (:class:`SpikeTimes` or :class:`PoissonRates`),
  added with ``Network.add_source`` and connected with ``Network.connect``.
- ``attach(network, population, target)``: anything built from the above
  (e.g. a Poisson input layer = a Poisson source plus a projection).

Its constructor takes the settings; a class attribute ``setting_specs`` (a :class:`Setting` for each)
gives their units and meanings to its pages (``snnzoo info``, docs/experiment-schema.md).

Times become steps by the rules of :mod:`snnzoo.time_steps`: a spike is emitted in the step
containing its time, a switch of a value takes effect at the first step at or after it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from ..errors import PluginError, SnnzooError, a_or_an
from ..units import parse_unit, unit_text
from .model import REQUIRED, page_table

@dataclass
class PiecewiseDrive:
    """Value ``values[k]`` from ``times[k]`` (seconds) until the next time; 0 before the first.
    A switch takes effect at the first step at or after its time (:func:`~snnzoo.time_steps.first_step_from`).

    ``values`` has shape ``(len(times), 1)`` for one value for all neurons or
    ``(len(times), N)`` for per-neuron values, in SI units.
    """

    times: np.ndarray
    values: np.ndarray


@dataclass
class FunctionDrive:
    """``function(t, i)`` with ``t`` in seconds (column) and ``i`` neuron indices (row) -> quantities of the
    target's dimension, or plain SI values."""

    function: Callable[[np.ndarray, np.ndarray], np.ndarray]
    per_neuron: bool = True


@dataclass
class GaussianDrive:
    """White current noise: ``mean + std * N(0, 1)`` drawn afresh every step (SI, shape (1,) or (N,))."""

    mean: np.ndarray
    std: np.ndarray


@dataclass
class OUDrive:
    """Ornstein-Uhlenbeck process with mean, stationary std ``sigma`` and time constant ``tau`` (s).

    ``shared``: one process feeds every neuron (frozen common input) instead of one per neuron.
    """

    mean: np.ndarray
    sigma: np.ndarray
    tau: float
    shared: bool = False


@dataclass
class SpikeTimes:
    """A source emitting spikes of neuron ``indices[k]`` at ``times[k]`` (s), each in the step that
    contains its time (:func:`~snnzoo.time_steps.step_containing`)."""

    size: int
    times: np.ndarray
    indices: np.ndarray


@dataclass
class PoissonRates:
    """A source of independent Poisson spike trains: constant ``rates`` (Hz, one or per neuron),
    or ``function(t, i)`` giving rates (frequencies, or plain numbers in Hz) for times ``t`` (column) and
    neurons ``i`` (row)."""

    size: int
    rates: np.ndarray | None = None
    function: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None



DRIVE_TYPES = (PiecewiseDrive, FunctionDrive, GaussianDrive, OUDrive)
"""The drive forms the engine executes."""


def call_stimulus(stimulus: object, method: str, *arguments: object) -> object:
    """``stimulus.method(*arguments)`` (a stimulus's ``drives``, ``source`` or ``attach``); an exception
    other than an snnzoo error, a bug of the stimulus's code, is a PluginError naming the stimulus."""
    try:
        return getattr(stimulus, method)(*arguments)
    except SnnzooError:
        raise
    except Exception as error:
        raise PluginError(f"stimulus {getattr(stimulus, 'name', type(stimulus).__name__)!r}: {method}() raised "
                          f"{type(error).__name__}: {' '.join(str(error).split())}") from error


def stimulus_settings(stimulus: object) -> dict:
    """``stimulus.to_dict()``, the settings kept in provenance; refused unless it is a dict."""
    settings = call_stimulus(stimulus, "to_dict")
    if not isinstance(settings, dict):
        raise PluginError(f"stimulus {getattr(stimulus, 'name', type(stimulus).__name__)!r}: to_dict() returned "
                          f"{_short(settings)}; expected a dict of its settings")
    return settings


def checked_drives(stimulus: object, size: int, unit: object) -> list:
    """``stimulus.drives(size, unit)`` as the engine needs it: a list of drives whose arrays are finite
    and fit ``size`` neurons; anything else (or an exception other than an snnzoo error) is a
    :class:`~snnzoo.errors.PluginError` naming the stimulus."""
    where = f"stimulus {getattr(stimulus, 'name', type(stimulus).__name__)!r}: drives()"
    drives = call_stimulus(stimulus, "drives", size, unit)
    if not isinstance(drives, (list, tuple)) or not all(isinstance(drive, DRIVE_TYPES) for drive in drives):
        raise PluginError(f"{where} returned {_short(drives)}; expected a list of "
                          f"{', '.join(kind.__name__ for kind in DRIVE_TYPES)} (snnzoo.language.stimulus)")
    return [_checked_drive(drive, size, f"{where} returned {a_or_an(type(drive).__name__)}") for drive in drives]


def _checked_drive(drive: object, size: int, where: str) -> object:
    """``drive`` with its arrays as float arrays, refused unless they are finite and of a shape the engine reads."""
    def floats(field: str, shapes: list[tuple[int, ...]]) -> np.ndarray:
        try:
            array = np.asarray(getattr(drive, field), dtype=float)
        except (TypeError, ValueError):
            raise PluginError(f"{where}: '{field}' is {_short(getattr(drive, field))}, not numbers") from None
        if len(shapes) > 0 and array.shape not in shapes:
            raise PluginError(f"{where}: '{field}' has shape {array.shape}; expected "
                              f"{' or '.join(str(shape) for shape in shapes)} for {size} neurons")
        if not np.all(np.isfinite(array)):
            raise PluginError(f"{where}: '{field}' is not finite: {_short(array.tolist())}")
        return array

    if isinstance(drive, PiecewiseDrive):
        times = np.atleast_1d(floats("times", []))
        if times.ndim != 1 or times.size == 0 or np.any(np.diff(times) <= 0):
            raise PluginError(f"{where}: 'times' are {_short(times.tolist())}; expected increasing times (s)")
        return replace(drive, times=times, values=floats("values", [(times.size, 1), (times.size, size)]))
    if isinstance(drive, FunctionDrive):
        if not callable(drive.function):
            raise PluginError(f"{where}: 'function' is {_short(drive.function)}, not callable")
        return drive
    per_neuron = [(), (1,), (size,)]
    if isinstance(drive, GaussianDrive):
        std = floats("std", per_neuron)
        if np.any(std < 0):
            raise PluginError(f"{where}: 'std' is negative: {_short(std.tolist())}")
        return replace(drive, mean=floats("mean", per_neuron), std=std)
    tau = floats("tau", [(), (1,)])
    if np.any(tau <= 0):
        raise PluginError(f"{where}: 'tau' is {float(tau)} s; expected a positive time constant")
    one_process = per_neuron[:2] if drive.shared else per_neuron  # a shared process has one mean and one sigma
    return replace(drive, mean=floats("mean", one_process), sigma=floats("sigma", one_process), tau=float(tau))


def _short(value: object) -> str:
    """``repr(value)``, cut to 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


TARGET_UNIT = "target"
"""The unit of a :class:`Setting` in the unit of the variable the stimulus drives (an amplitude, a weight)."""
NO_UNIT = ""
"""The unit of a :class:`Setting` that holds no quantity (a flag, a function, a table of parameters, a label)."""


@dataclass(frozen=True)
class Setting:
    """What a setting of a stimulus holds, for its pages: ``unit``, the unit its values are in (``"s"``,
    ``"Hz"``, ``"1"`` for numbers, or :data:`TARGET_UNIT` or :data:`NO_UNIT`), and what it means."""

    unit: str
    description: str


def constructor_settings(kind: Callable) -> dict[str, inspect.Parameter] | None:
    """The settings a stimulus type takes, the keyword parameters of its constructor by name; None when its
    signature is unknown or it takes any keyword."""
    try:
        parameters = inspect.signature(kind).parameters
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return None
    return {name: p for name, p in parameters.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


def setting_rows(kind: Callable) -> list[tuple[str, str, str, str]] | None:
    """Each setting of stimulus type ``kind`` as its pages list it: name, default (from the constructor), unit and
    meaning (from its ``setting_specs``); None when the settings are unknown (see :func:`constructor_settings`)."""
    settings = constructor_settings(kind)
    if settings is None:
        return None
    specs = getattr(kind, "setting_specs", {})
    rows = []
    for name, parameter in settings.items():
        spec = specs.get(name, Setting("?", "(not documented by the stimulus)"))
        rows.append((name, _default_text(parameter.default), _unit_column(spec.unit), spec.description))
    return rows


def settings_table(kind: Callable) -> list[str]:
    """The settings table of a stimulus type's page (``snnzoo info``), or a line saying it takes any keyword."""
    rows = setting_rows(kind)
    if rows is None:
        return ["", "Settings: any keyword (its constructor does not list them)"]
    return page_table("Settings", rows) if rows else ["", "Settings: none"]


def _default_text(default: object) -> str:
    """A constructor default as a page shows it: as TOML writes it, ``(optional)`` for None."""
    if default is inspect.Parameter.empty:
        return REQUIRED
    if default is None:
        return "(optional)"
    return str(default).lower() if isinstance(default, bool) else str(default)


def _unit_column(unit: str) -> str:
    """A setting's unit as the unit column shows it (as :func:`~snnzoo.units.unit_text` writes units)."""
    if unit == TARGET_UNIT:
        return "(target)"
    if unit == NO_UNIT:
        return "-"
    return unit if unit == "?" else unit_text(parse_unit(unit, what="setting unit"))

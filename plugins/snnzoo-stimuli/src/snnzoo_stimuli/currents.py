"""Current stimuli: they produce drives that set an input variable (``I``) each step."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from snnzoo.errors import ConfigError
from snnzoo.language.stimulus import NO_UNIT, TARGET_UNIT, FunctionDrive, PiecewiseDrive, Setting
from snnzoo.units import as_data, as_quantity, check_value, is_quantity_text, one_si, show, to_si, ureg


class ConstantCurrent:
    """The same current at all times (one value, or one per neuron)."""

    name = "constant_current"
    description = "constant current, one amplitude or one per neuron"
    example = {"amplitude": "0.1 nA"}
    """Settings that make a small working instance (the conformance kit uses them)."""
    setting_specs = {"amplitude": Setting(TARGET_UNIT, "the value, one or one per neuron")}

    def __init__(self, amplitude: Any):
        self.amplitude = amplitude

    def drives(self, size: int, unit) -> list:
        values = per_neuron_si(self.amplitude, unit, size, what=f"{self.name}: amplitude")
        return [PiecewiseDrive(np.zeros(1), values[None, :])]

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.name, "amplitude": provenance_value(self.amplitude)}


class StepCurrent:
    """A piecewise-constant schedule: ``amplitudes[k]`` from ``times[k]`` on (0 before ``times[0]``).

    ``amplitudes`` may be 2-D (segments x neurons) for per-neuron schedules.
    """

    name = "step_current"
    description = "piecewise-constant current switching at given times"
    example = {"times": ["0 ms", "1 ms"], "amplitudes": ["0.2 nA", "0 nA"]}
    """Settings that make a small working instance (the conformance kit uses them)."""
    setting_specs = {"times": Setting("s", "the switching times, >= 0 and increasing"),
                     "amplitudes": Setting(TARGET_UNIT,
                                           "the value from each time on: one per time, or times x neurons")}

    def __init__(self, times: Any, amplitudes: Any):
        self.times, self.amplitudes = times, amplitudes

    def drives(self, size: int, unit) -> list:
        times = np.atleast_1d(to_si(self.times, "s", what=f"{self.name}: times"))
        values = np.asarray(to_si(self.amplitudes, unit, what=f"{self.name}: amplitudes"), dtype=float)
        if times.ndim != 1:
            raise ConfigError(f"{self.name}: times: expected a flat list of switching times, got shape {times.shape}")
        if len(times) == 0:
            raise ConfigError(f"{self.name}: expected at least one time and amplitude, got none")
        if values.ndim not in (1, 2) or values.shape[0] != len(times):
            raise ConfigError(f"{self.name}: {len(times)} times but amplitudes of shape {values.shape}; expected "
                              f"({len(times)},) or ({len(times)}, neurons)")
        values = values.reshape(len(times), -1)
        if np.any(np.diff(times) <= 0) or times[0] < 0:
            raise ConfigError(f"{self.name}: times must be >= 0 and increasing, got {times.tolist()} s")
        return [PiecewiseDrive(times, _per_segment(values, size, self.name))]

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.name, "times": provenance_value(self.times), "amplitudes": provenance_value(self.amplitudes)}


class FunctionCurrent:
    """A current given by any function of time ``t`` and neuron index ``i``.

    ``function`` is either a Python callable ``f(t, i)`` taking numpy arrays
    (``t`` in seconds, a column; ``i`` a row) and returning currents (converted
    to the target's unit) or plain SI values, or an expression string such as ``"amplitude*sin(2*pi*frequency*t + i*phase)"``
    whose symbols are given in ``parameters`` (quantities); the expression is
    dimension-checked against the target variable.
    """

    name = "function_current"
    description = "current given by a function or expression of time t and neuron index i"
    example = {"function": "amplitude*sin(2*pi*frequency*t)",
               "parameters": {"amplitude": "0.1 nA", "frequency": "10 Hz"}}
    """Settings that make a small working instance (the conformance kit uses them)."""
    setting_specs = {"function": Setting(NO_UNIT,
                                         "a callable f(t, i) or an expression of t and i, in the target's unit"),
                     "parameters": Setting(NO_UNIT, "the expression's symbols: names to quantities")}

    def __init__(self, function: Callable | str, parameters: Mapping[str, Any] | None = None):
        if not (callable(function) or isinstance(function, str)):
            raise ConfigError(f"{self.name}: function: expected a callable f(t, i) or an expression such as "
                              f"'amplitude*sin(2*pi*frequency*t)', got {show(function)}")
        self.function, self.parameters = function, expression_parameters(parameters, self.name)
        if self.parameters and callable(function):
            raise ConfigError(f"{self.name}: parameters {sorted(self.parameters)} are for an expression; a callable "
                              "function takes none (give the values inside it)")

    def drives(self, size: int, unit) -> list:
        if callable(self.function):
            return [FunctionDrive(self.function)]
        return [FunctionDrive(expression_function(self.function, self.parameters, unit, f"{self.name}: function"))]

    def to_dict(self) -> dict[str, Any]:
        function = self.function if isinstance(self.function, str) else getattr(self.function, "__name__", "callable")
        return {"type": self.name, "function": function, "parameters": {k: provenance_value(v) for k, v in self.parameters.items()}}


def expression_parameters(parameters: Mapping[str, Any] | None, what: str) -> dict[str, Any]:
    """The ``parameters`` of a stimulus's expression as quantities, checked when the stimulus is made:
    each must read as a quantity and be finite (a NaN amplitude was found only by the run), and none may be
    called ``t`` or ``i``, the time and the neuron index (the expression read those instead)."""
    if parameters is None:
        return {}
    if not isinstance(parameters, Mapping):
        raise ConfigError(f"{what}: parameters: expected a mapping of names to quantities, e.g. "
                          f"{{'amplitude': '0.1 nA'}}, got {show(parameters)}")
    for name in set(parameters) & {"t", "i"}:
        raise ConfigError(f"{what}: parameter {name!r}: t and i are the time and the neuron index in the "
                          "expression; give the parameter another name")
    quantities = {name: as_quantity(value, what=f"{what}: parameter {name!r}") for name, value in parameters.items()}
    for name, quantity in quantities.items():
        check_value(quantity.magnitude, what=f"{what}: parameter {name!r}", shown=quantity)
    return quantities


def expression_function(expression: str, parameters: Mapping[str, Any], unit, what: str):
    """A numpy function ``f(t, i)`` (SI values) of an expression in ``t``, ``i`` and ``parameters``,
    dimension-checked against ``unit``; ``what`` names the setting in errors. A plain quantity
    (``"0.5 nA"``) is a constant, checked as every stimulus value is (:func:`~snnzoo.units.one_si`): one
    of the wrong dimension is named as such, not as an expression that cannot be parsed."""
    quantities = expression_parameters(parameters, what)
    if is_quantity_text(expression):
        constant = one_si(expression, unit, what=what)
        if quantities:
            raise ConfigError(f"{what}: {expression!r} is a constant, so the parameters {sorted(quantities)} "
                              "are used nowhere")
        return lambda t, i: constant + 0.0 * t * i
    units = {k: q.units for k, q in quantities.items()}
    units.update({"t": ureg.second, "i": ureg.dimensionless})
    target = ureg.Unit(unit) if isinstance(unit, str) else unit
    from snnzoo.language.expressions import NumericExpression  # sympy: only for a current given as an expression

    compiled = NumericExpression(expression, units, where=what, expected=target,
                                 instead="for a random current use noise_current or ou_current")
    unused = sorted(set(quantities) - set(compiled.names))
    if unused:
        raise ConfigError(f"{what}: parameter {unused[0]!r} is used nowhere in {expression!r}")
    values = {k: q.to_base_units().magnitude for k, q in quantities.items()}

    def evaluate(t: np.ndarray, i: np.ndarray) -> np.ndarray:
        return compiled({**values, "t": t, "i": i}) + 0.0 * t * i

    return evaluate


def per_neuron_si(value: Any, unit, size: int, *, what: str, sign: str | None = None) -> np.ndarray:
    """``value`` in SI units of ``unit`` as a flat array: one value for all ``size`` neurons or one per neuron."""
    values = np.atleast_1d(to_si(value, unit, what=what, sign=sign))
    if values.ndim != 1 or values.size not in (1, size):
        raise ConfigError(f"{what}: expected one value or {size} (one per neuron), got shape {values.shape}")
    return values


def _per_segment(values: np.ndarray, size: int, name: str) -> np.ndarray:
    if values.shape[1] not in (1, size):
        raise ConfigError(f"{name}: expected 1 or {size} values per segment, got {values.shape[1]}")
    return values


def provenance_value(value: Any) -> Any:
    """A value as plain data for provenance: ``{"value": ..., "unit": ...}`` for quantities."""
    return as_data(value) if hasattr(value, "units") or not callable(value) else str(value)

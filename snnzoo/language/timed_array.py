"""Values given on a time grid, used inside equations: Brian2's ``TimedArray``.

    stim = sz.TimedArray([0, 0.5, 1.0, 0.5] * u.nA, dt=25 * u.ms, name="stim")
    model = sz.NeuronModel("m", "dv/dt = (EL - v + R*I)/tau : volt\\nI = stim(t) : amp", {...},
                           functions={"stim": stim})

``stim(t)`` is the value of the step that contains ``t`` (values[k] for k·dt <= t < (k + 1)·dt,
the first value before 0 and the last one after the end), as Brian2 computes it; with a 2-D
array (times x neurons) ``stim(t, i)`` picks neuron ``i``'s column. The time argument may be
any time expression (``stim(t - delay, i)``). A timed array's dt must be a multiple of the
network's dt, so its values are constant during each step (which also lets ``exact`` integrate
equations that use it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pint
import sympy

from ..errors import ConfigError, EquationError, ValueRangeError
from ..units import as_quantity, positive_si, si_unit_string, ureg
from .arguments import constructor_checked
from .expressions import same_dimension


class TimedArrayBase(sympy.Function):
    """A call ``name(t)`` or ``name(t, i)`` of a timed array inside an expression
    (each :class:`TimedArray` makes a subclass named after it, carrying ``timed_array``;
    sympy's printers dispatch such subclasses to a base only if its name ends in "Base")."""

    nargs = (1, 2)
    timed_array: TimedArray


@constructor_checked
class TimedArray:
    """``values`` (a quantity: one per step, or steps x neurons) on a grid of step ``dt``."""

    def __init__(self, values: Any, dt: Any, name: str = "timed_array"):
        where = f"TimedArray {name!r}"
        if not isinstance(name, str) or not name.isidentifier():
            raise ConfigError(f"{where}: the name must be a Python identifier (it is called in equations)")
        quantity = as_quantity(values, what=f"{where}: values")
        magnitude = np.asarray(quantity.to_base_units().magnitude, dtype=float)
        if magnitude.ndim not in (1, 2):
            raise ConfigError(f"{where}: expected values of shape (steps,) or (steps, neurons), got {magnitude.shape}")
        if magnitude.size == 0:
            raise ConfigError(f"{where}: no values (shape {magnitude.shape}); expected at least one step and one "
                              "column, of shape (steps,) or (steps, neurons)")
        if not np.isfinite(magnitude).all():
            step, *column = np.argwhere(~np.isfinite(magnitude))[0]
            raise ValueRangeError(f"{where}: the values must be finite (not NaN or infinite); step {step}"
                                  f"{f', column {column[0]}' if column else ''} is {magnitude[(step, *column)]}")
        self.name = name
        self.unit: pint.Unit = quantity.to_base_units().units
        self.values = magnitude.reshape(magnitude.shape[0], -1)
        """float64[steps, columns]: the values in SI units (one column for a 1-D array)."""
        self.dt = positive_si(dt, "s", what=f"{where}: dt")
        self.function = type(name, (TimedArrayBase,), {"timed_array": self})
        """The sympy function a model's equations call."""

    @property
    def columns(self) -> int:
        """1 for values shared by all neurons, else the number of neurons."""
        return self.values.shape[1]

    def unit_of_call(self, call: sympy.Basic, checker) -> pint.Unit:
        """The unit of ``call`` (``name(t)`` or ``name(t, i)``), checking its arguments."""
        time_unit = checker.unit_of(call.args[0])
        if not same_dimension(time_unit, ureg.second):
            raise EquationError(f"{checker.where}: the first argument of {self.name}() must be a time, "
                                f"but {call.args[0]} is in {time_unit:~}")
        if len(call.args) == 2 and not same_dimension(checker.unit_of(call.args[1]), ureg.dimensionless):
            raise EquationError(f"{checker.where}: the second argument of {self.name}() must be a neuron index")
        if self.columns > 1 and len(call.args) == 1:
            raise EquationError(f"{checker.where}: {self.name} has one column per neuron; call it as {self.name}(t, i)")
        return self.unit

    def check_grid(self, dt: float, size: int, where: str) -> None:
        """Refuse a grid that does not fit the network's ``dt``, or columns that do not fit ``size``."""
        steps = self.dt / dt
        if abs(steps - round(steps)) > 1e-9 * steps or round(steps) < 1:
            raise ConfigError(f"{where}: TimedArray {self.name!r} has dt = {self.dt * 1e3:g} ms, which is not a "
                              f"multiple of the network's dt = {dt * 1e3:g} ms")
        if self.columns not in (1, size):
            raise ConfigError(f"{where}: TimedArray {self.name!r} has {self.columns} columns; expected 1 or {size}")

    def to_dict(self) -> dict[str, Any]:
        """Provenance."""
        return {"shape": list(self.values.shape), "dt": self.dt, "unit": si_unit_string(self.unit)}


def timed_array_calls(expr: sympy.Basic) -> set[sympy.Basic]:
    """The timed-array calls inside ``expr``."""
    return {call for call in expr.atoms(sympy.Function) if isinstance(call, TimedArrayBase)}

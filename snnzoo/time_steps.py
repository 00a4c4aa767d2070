"""Times as step numbers: the rules by which a time between two steps becomes a step.

They follow Brian2 2.9, whose ``timestep(t, dt)`` is ``int((t + 1e-3*dt)/dt)``: a time within
``GRID_TOLERANCE`` of a step's start is on it, and otherwise

- a spike (a spike generator's time) is emitted in the step containing it (:func:`step_containing`);
- a value switching at a time (a step current) takes effect at the first step at or after it
  (:func:`first_step_from`);
- a refractory period lasts the whole steps it contains (:func:`step_containing` of the period).
"""

from __future__ import annotations

import ast

import numpy as np

CLOCK_NAMES = ("t", "dt")
"""What value expressions (initial values, weights, delays, synaptic values) read of the clock, as in Brian2:
the simulated time when they are evaluated (0 before the first run) and the time step, in seconds."""

CLOCK_MEANINGS = {"t": "simulated time", "dt": "time step"}
"""What each of :data:`CLOCK_NAMES` is, in words (for messages)."""

GRID_TOLERANCE = 1e-3
"""A time within this fraction of dt of a step's start is on the grid, in that step: 0.3 ms at dt = 0.1 ms
is step 3 though 0.3 / 0.1 = 2.9999999999999996 (Brian2's SpikeGeneratorGroup shifts times by 1e-3 dt)."""


def clock_names_read(text: str) -> list[str]:
    """The clock names (``t``, ``dt``) that ``text`` reads as an expression (``"2*dt"``: two steps, though pint
    would read it as two decitonnes), in order; none for a text that is no expression (``"2 dt"``)."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return []
    return sorted({node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id in CLOCK_NAMES})


UNREACHED_STEP = 2**62
"""The step of every time too late for any run to reach (a run ends by 2**53 steps): such a time (a switch
at 1e17 s) converted to int64 directly wrapped around to a step before the start, and took effect at once."""


def _whole_steps(steps: np.ndarray) -> np.ndarray:
    """Whole step numbers (floats) as int64, those beyond any run as :data:`UNREACHED_STEP`."""
    return np.clip(steps, -UNREACHED_STEP, UNREACHED_STEP).astype(np.int64)


def step_containing(times, dt: float) -> np.ndarray:
    """The step ``n`` with ``n*dt <= t < (n + 1)*dt`` of each time ``t`` (s): the step a spike at ``t`` is
    emitted in, as in Brian2's SpikeGeneratorGroup (1.15 ms at dt = 0.1 ms: step 11, at 1.1 ms)."""
    return _whole_steps(np.floor(np.asarray(times, dtype=float) / dt + GRID_TOLERANCE))


def first_step_from(times, dt: float) -> np.ndarray:
    """The first step ``n`` with ``n*dt >= t`` of each time ``t`` (s): the step a value switching at ``t``
    takes effect in, so that every step sees the value the schedule has at its start, as a function of
    ``t`` or Brian2's TimedArray does (0.25 ms at dt = 0.1 ms: step 3, at 0.3 ms). On the grid (within
    ``GRID_TOLERANCE``) it is :func:`step_containing`; between two steps it is the later one."""
    return _whole_steps(np.ceil(np.asarray(times, dtype=float) / dt - GRID_TOLERANCE))

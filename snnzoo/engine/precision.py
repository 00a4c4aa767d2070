"""Double or single precision: the float type a kernel computes in, and the values float32 can hold.

In single precision the kernel's neuron maths runs in float32: the populations' state
variables and parameters, the white-noise draws, drive values, timed arrays, projection
weights and the summed inputs they deliver, and the monitors' samples (so recorded traces
are float32 in the result). Literals are printed as float32 and ``exp``/``exprel`` are the
float32 ``fexp32``/``exprel32`` of :mod:`snnzoo.engine.runtime`, so nothing widens back to
float64 and the update loops vectorise twice as wide. :func:`snnzoo.engine.layout.float_arrays`
names the arrays that hold the precision's floats.

Last-spike steps are int32 (so the refractory test is as narrow as the float32 maths and the
update loop vectorises 16 wide), which limits a single-precision simulation to 2**31 - 1 steps.
Kept in float64 in both precisions: time (``t`` is ``n * dt`` from the integer step ``n``,
then rounded once, so spike times stay exact multiples of dt), spike-source rates and
Poisson-input probabilities (random draws are the same as in double precision), and the
state of synapse models (plastic weights grow by small increments that float32 would round
away; their updates run in float64 and write float32 into the neurons).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..errors import ConfigError
from .plan import KernelPlan, PopulationPlan

FLOAT_TYPES = {"double": np.float64, "single": np.float32}
"""The float type of each precision."""

MAX_SINGLE_PRECISION_STEPS = 2**31 - 1
"""The most steps a single-precision simulation runs in all (its last-spike steps are int32)."""

_FLOAT32 = np.finfo(np.float32)
_RANGE = f"float32 holds magnitudes from {_FLOAT32.tiny:.3g} to {_FLOAT32.max:.3g}"


def checked_precision(value: object) -> str:
    """``value`` if it names a precision, else a ConfigError naming it and the choices."""
    if not isinstance(value, str) or value not in FLOAT_TYPES:
        raise ConfigError(f"precision {value!r} is not known; expected one of: {', '.join(FLOAT_TYPES)}")
    return value


def outside_float32(values: np.ndarray, underflow: bool = True) -> np.ndarray:
    """The finite non-zero values that float32 cannot hold as normal numbers (they would become
    infinite, or with ``underflow`` zero or lose precision as subnormals)."""
    values = np.asarray(values, dtype=np.float64).ravel()
    magnitude = np.abs(values[np.isfinite(values) & (values != 0)])
    return magnitude[(magnitude > _FLOAT32.max) | (underflow & (magnitude < _FLOAT32.tiny))]


def check_fits(values: np.ndarray, what: str, underflow: bool = True) -> None:
    """Refuse ``values`` (SI) that single precision cannot hold (or, without ``underflow``, that would
    overflow it), naming ``what`` and the value."""
    bad = outside_float32(values, underflow)
    if bad.size:
        problem = "overflows" if bad[0] > 1 else "underflows"
        raise ConfigError(f"{what} = {bad[0]:.6g} {problem} in single precision ({_RANGE}); "
                          "use precision 'double'")


def float32_constant(value: float, printing: str) -> str:
    """The kernel literal of a constant of the code that computes ``printing`` (e.g. a population's equations
    as its integrator computes them) in single precision, refused naming ``printing`` if float32 cannot hold it
    (:func:`check_plan_fits` refuses the numbers written in the statements first)."""
    check_fits(np.array([value]), f"{printing}: a constant (in SI units)")
    return f"np.float32({value!r})"


def check_plan_fits(plan: KernelPlan, dt: float) -> None:
    """Refuse a single-precision plan, run at time step ``dt`` (s), with a time step (dt = 1e-45 s was a
    subnormal 1.4e-45 in the kernel's float32 maths, 40 % off), a parameter, initial value, weight (of a projection or a
    Poisson input), drive value or timed array that float32 cannot hold (before anything is allocated or
    run), or a synapse model's value, or a constant of a statement by which it writes into a neuron, that
    would overflow it (they are float64, but what they write into a neuron is float32: infinite from such
    a value; tiny ones are fine in float64)."""
    if plan.precision != "single":
        return
    check_fits(np.array([dt]), "dt (in s)")
    _check_constants_fit(plan)
    for p in plan.populations:
        for name in (*p.model.parameters, *p.rows):
            if name in p.values:
                kind = "parameter" if name in p.model.parameters else "initial value of"
                check_fits(p.values[name], f"population {p.name!r}: {kind} {name}")
    for r in plan.projections:
        check_fits(r.synapses.weights, f"projection {r.name!r}: weight")
    for q in plan.poisson_inputs:
        check_fits(np.array([q.weight]), f"Poisson input {q.name!r} onto population {q.target.name!r}: weight")
    for d in plan.drives:
        values = [getattr(d.drive, name, None) for name in ("values", "mean", "std", "sigma", "tau")]
        population = plan.population(d.population)
        for value in _numbers(values):
            check_fits(value, f"input of population {population.name!r} (variable {population.rows[d.row]!r})")
    for timed in plan.timed_arrays:
        check_fits(timed.values, f"timed array {timed.name!r}")
    for synapse in plan.synapses:
        for name, value in synapse.values.items():
            check_fits(value, f"synapse model {synapse.model.name!r} onto population {synapse.target.name!r}: {name}",
                       underflow=False)
        for statement, _, largest in synapse.model.neuron_write_magnitudes():
            check_fits(np.array([largest]), f"projection {synapse.name!r}: synapse model {synapse.model.name!r}: "
                       f"{statement}: the constant (in SI units)", underflow=False)


def _check_constants_fit(plan: KernelPlan) -> None:
    """Refuse a number written in a model's equations, threshold, reset or refractory condition, a
    projection's effect or a regular operation that float32 cannot hold once units are SI numbers (as
    the kernel computes it), naming the population, its model and the statement."""
    for p in plan.populations:
        where = f"population {p.name!r} (model {p.model.name!r})"
        for statement, smallest, largest in p.model.constant_magnitudes:
            check_fits(np.array([largest, smallest]), f"{where}: {statement}: the constant (in SI units)")
        statements = [("refractory condition '{}'", p.refractory_condition)] if p.refractory_kind == "condition" else []
        statements += [(f"regular operation '{target} {op} {{}}'", expr)
                       for o in plan.regular_operations if o.target is p for target, op, expr in o.statements]
        _check_statements_fit(p, where, statements)
    for r in plan.projections:
        _check_statements_fit(r.target, f"projection {r.name!r} onto {r.target.name!r} (model {r.target.model.name!r})",
                              [(f"effect '{target} {op} {{}}*w'", coefficient) for target, op, coefficient in r.effects
                               if coefficient != 1])  # the weight itself (``ge += w``) holds no constant


def _check_statements_fit(p: PopulationPlan, where: str, statements: list[tuple[str, object]]) -> None:
    """Refuse a statement (a text with ``{}`` where its sympy expression on the variables of population ``p``
    goes, and that expression) holding a number float32 cannot hold once its units are SI numbers and its
    subexpressions substituted in."""
    if not statements:
        return
    import sympy

    for statement, expr in statements:
        magnitudes = p.model.number_magnitudes(expr)
        if magnitudes is not None:
            shown = statement.format(sympy.sstr(expr, full_prec=False))
            check_fits(np.array(magnitudes[::-1]), f"{where}: {shown}: the constant (in SI units)")


def _numbers(values: Iterable[object]) -> Iterable[np.ndarray]:
    for value in values:
        if value is not None and not callable(value):
            yield np.asarray(value, dtype=np.float64)

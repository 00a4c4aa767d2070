"""Numerical integrators, registered as plugins like models.

An integrator turns an :class:`OdeSystem` (drift and noise terms of each state
variable, as sympy expressions) into update statements: a list of
``(name, expression)`` assignments the engine prints into the kernel. Every
statement reads the values at the start of the step; the last statements
assign ``_new_<var>`` for each variable. Standard-normal samples for white
noise are the symbols in ``system.normals``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy

from .errors import EquationError
from .expressions import exprel, symbol
from .hookspecs import hookimpl

HOOK_API_VERSION = 1
"""The hook contract the core's integrator plugin is written for (checked by the loader)."""

Statements = list[tuple[sympy.Symbol, sympy.Basic]]

DT = symbol("dt")
T = symbol("t")


@dataclass
class OdeSystem:
    """The right-hand sides of one model: ``dx/dt = drift[x] + sum(noise[x][xi] * xi)``."""

    variables: list[sympy.Symbol]
    drift: dict[sympy.Symbol, sympy.Basic]
    noise: dict[sympy.Symbol, dict[str, sympy.Basic]] = field(default_factory=dict)
    normals: dict[str, sympy.Symbol] = field(default_factory=dict)
    where: str = "model"

    @property
    def stochastic(self) -> bool:
        """Whether any equation has a white-noise term."""
        return any(self.noise.get(x) for x in self.variables)


def new_symbol(var: sympy.Symbol) -> sympy.Symbol:
    """The symbol holding the updated value of ``var``."""
    return symbol(f"_new_{var.name}")


def _noise_increment(system: OdeSystem, x: sympy.Symbol) -> sympy.Basic:
    return sum(
        (g * system.normals[name] * sympy.sqrt(DT) for name, g in system.noise.get(x, {}).items()),
        sympy.Integer(0),
    )


def _require_additive_noise(system: OdeSystem, method: str) -> None:
    state = set(system.variables)
    for x in system.variables:
        for name, g in system.noise.get(x, {}).items():
            if g.free_symbols & state:
                raise EquationError(
                    f"{system.where}: the noise term of d{x.name}/dt is multiplicative ({g}*{name}); "
                    f"'{method}' handles additive noise only, use 'euler_maruyama'"
                )


def _deterministic_only(system: OdeSystem, method: str) -> None:
    if system.stochastic:
        raise EquationError(
            f"{system.where}: the equations contain white noise xi; '{method}' is deterministic, "
            "use 'euler' (additive noise) or 'euler_maruyama'"
        )


def _stage(system: OdeSystem, values: dict[sympy.Symbol, sympy.Basic], t_shift: sympy.Basic) -> dict:
    """The drift of every variable evaluated at intermediate ``values`` and time ``t + t_shift``."""
    replace = dict(values)
    replace[T] = T + t_shift
    return {x: system.drift[x].xreplace(replace) for x in system.variables}


class Euler:
    """Forward Euler; with additive white noise this is Euler–Maruyama (as in Brian2)."""

    name = "euler"
    description = "forward Euler, x += dt*f(x); additive noise as Euler-Maruyama"

    def update(self, system: OdeSystem) -> Statements:
        _require_additive_noise(system, self.name)
        return [
            (new_symbol(x), x + DT * system.drift[x] + _noise_increment(system, x)) for x in system.variables
        ]


class EulerMaruyama(Euler):
    """Euler–Maruyama (Itô) for equations with additive or multiplicative noise."""

    name = "euler_maruyama"
    description = "Euler-Maruyama for stochastic equations, x += dt*f(x) + g(x)*sqrt(dt)*N(0,1)"

    def update(self, system: OdeSystem) -> Statements:
        return [
            (new_symbol(x), x + DT * system.drift[x] + _noise_increment(system, x)) for x in system.variables
        ]


class ExponentialEuler:
    """Exponential Euler for equations linear in their own variable (HH, conductances).

    Each ``dx/dt = A*x + B`` (A, B may depend on the other variables, frozen at the
    start of the step) advances exactly: ``x = -B/A + (x + B/A)*exp(A*dt)``.
    """

    name = "exponential_euler"
    description = "exponential Euler for conditionally linear equations (Hodgkin-Huxley, conductances)"

    def update(self, system: OdeSystem) -> Statements:
        _deterministic_only(system, self.name)
        statements: Statements = []
        for x in system.variables:
            f = system.drift[x]
            a = sympy.diff(f, x)
            if x in a.free_symbols:
                raise EquationError(
                    f"{system.where}: d{x.name}/dt is not linear in {x.name}; "
                    "exponential_euler needs dx/dt = A*x + B, use 'euler' or 'rk4'"
                )
            if a == 0:
                statements.append((new_symbol(x), x + DT * f))
                continue
            b = f.xreplace({x: sympy.Integer(0)})
            ratio = symbol(f"_BA_{x.name}")
            coeff = symbol(f"_A_{x.name}")
            statements += [
                (coeff, a),
                (ratio, b / coeff),
                (new_symbol(x), -ratio + (ratio + x) * sympy.exp(coeff * DT)),
            ]
        return statements


class ExponentialRosenbrock:
    """Exponential Rosenbrock-Euler with the diagonal Jacobian, for stiff nonlinear equations.

    Each variable advances by ``dt * exprel(A*dt) * f(x)`` with ``A = min(df/dx, 0)``
    at the start of the step: exact for linear decaying equations (like
    ``exponential_euler``), stable when a large conductance makes ``dt/tau`` big,
    and usable when the equation is not linear in its variable (NMDA magnesium
    block). Where the dynamics grow (``df/dx > 0``, e.g. the AdEx upstroke) it is
    forward Euler, so a spike is not overshot to infinity.
    """

    name = "exponential_rosenbrock"
    description = "exponential Rosenbrock-Euler (diagonal Jacobian) for stiff nonlinear equations"

    def update(self, system: OdeSystem) -> Statements:
        _deterministic_only(system, self.name)
        statements: Statements = []
        for x in system.variables:
            f = system.drift[x]
            rate, slope = symbol(f"_F_{x.name}"), symbol(f"_J_{x.name}")
            statements += [
                (rate, f),
                (slope, sympy.Min(sympy.diff(f, x), 0)),
                (new_symbol(x), x + DT * exprel(slope * DT) * rate),
            ]
        return statements


class RK2:
    """Second-order Runge–Kutta (midpoint method)."""

    name = "rk2"
    description = "second-order Runge-Kutta (midpoint)"

    def update(self, system: OdeSystem) -> Statements:
        _deterministic_only(system, self.name)
        k1 = {x: symbol(f"_k1_{x.name}") for x in system.variables}
        statements: Statements = [(k1[x], system.drift[x]) for x in system.variables]
        mid = _stage(system, {x: x + DT / 2 * k1[x] for x in system.variables}, DT / 2)
        return statements + [(new_symbol(x), x + DT * mid[x]) for x in system.variables]


class RK4:
    """Classical fourth-order Runge–Kutta."""

    name = "rk4"
    description = "classical fourth-order Runge-Kutta"

    def update(self, system: OdeSystem) -> Statements:
        _deterministic_only(system, self.name)
        xs = system.variables
        k = [{x: symbol(f"_k{n}_{x.name}") for x in xs} for n in range(1, 5)]
        statements: Statements = [(k[0][x], system.drift[x]) for x in xs]
        for n, (scale, shift) in enumerate(((DT / 2, DT / 2), (DT / 2, DT / 2), (DT, DT)), start=1):
            stage = _stage(system, {x: x + scale * k[n - 1][x] for x in xs}, shift)
            statements += [(k[n][x], stage[x]) for x in xs]
        return statements + [
            (new_symbol(x), x + DT / 6 * (k[0][x] + 2 * k[1][x] + 2 * k[2][x] + k[3][x])) for x in xs
        ]


BUILTIN_INTEGRATORS = (Euler(), EulerMaruyama(), ExponentialEuler(), ExponentialRosenbrock(), RK2(), RK4())


@hookimpl
def snnzoo_register_integrators(registry) -> None:
    """Register the built-in integrators (the core's own plugin)."""
    for integrator in BUILTIN_INTEGRATORS:
        registry.add_integrator(integrator)

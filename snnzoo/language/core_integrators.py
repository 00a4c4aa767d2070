"""The core's integrators as the plugin registry holds them: named and described without sympy.

Choosing an integrator by name (``integrator="euler"``, a model's default) needs only this;
the first :meth:`CoreIntegrator.update`, made when a kernel is generated, imports
:mod:`snnzoo.language.integrators`, which does the work with sympy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .integrators import OdeSystem, Statements


@dataclass(frozen=True)
class CoreIntegrator:
    """One of the core's integrators: its registry name, its description and its update."""

    name: str
    description: str

    def update(self, system: OdeSystem) -> Statements:
        """The update statements of ``system`` (see :mod:`snnzoo.language.integrators`)."""
        from .integrators import BY_NAME

        return BY_NAME[self.name].update(system)


CORE_INTEGRATORS = (
    CoreIntegrator("euler", "forward Euler, x += dt*f(x); additive noise as Euler-Maruyama"),
    CoreIntegrator("euler_maruyama",
                   "Euler-Maruyama for stochastic equations, x += dt*f(x) + g(x)*sqrt(dt)*N(0,1)"),
    CoreIntegrator("exponential_euler",
                   "exponential Euler for conditionally linear equations (Hodgkin-Huxley, conductances)"),
    CoreIntegrator("exponential_rosenbrock",
                   "exponential Rosenbrock-Euler (diagonal Jacobian) for stiff nonlinear equations"),
    CoreIntegrator("rk2", "second-order Runge-Kutta (midpoint)"),
    CoreIntegrator("rk4", "classical fourth-order Runge-Kutta"),
    CoreIntegrator("heun", "stochastic Heun for multiplicative noise (Stratonovich, as Brian2's heun)"),
    CoreIntegrator("milstein",
                   "derivative-free Milstein for diagonal multiplicative noise (Stratonovich, strong order 1)"),
    CoreIntegrator("exact", "exact solution of linear equations through the matrix exponential (Brian2's exact)"),
)

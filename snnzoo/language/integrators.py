"""Numerical integrators (registered as plugins like models, by :mod:`snnzoo.plugins.builtin_integrators`).

An integrator turns an :class:`OdeSystem` (drift and noise terms of each state
variable, as sympy expressions) into update statements: a list of
``(name, expression)`` assignments the engine prints into the kernel. Every
statement reads the values at the start of the step; the last statements
assign ``_new_<var>`` for each variable. Standard-normal samples for white
noise are the symbols in ``system.normals``.

With multiplicative noise, ``euler_maruyama`` integrates in the Itô sense and
``heun`` and ``milstein`` in the Stratonovich sense (as Brian2 does).
"""

from __future__ import annotations

import cmath
from dataclasses import dataclass, field
from functools import lru_cache

import sympy
from sympy.utilities.iterables import strongly_connected_components

from ..errors import EquationError, PluginError, SnnzooError
from .expressions import exp_divided_difference, exprel, substitute_units, symbol
from .timed_array import timed_array_calls

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
    texts: dict[sympy.Symbol, str] = field(default_factory=dict)
    """Each equation as the model writes it, for messages (``dv/dt = (E_L - v)/tau : volt``)."""

    @property
    def stochastic(self) -> bool:
        """Whether any equation has a white-noise term."""
        return any(self.noise.get(x) for x in self.variables)


def ode_system(model) -> OdeSystem:
    """The differential equations of a :class:`~snnzoo.language.model.NeuronModel` as drift and
    noise terms, with subexpressions expanded and units replaced by SI numbers."""
    drift, noise = {}, {}
    for eq in model.equations:
        if eq.kind != "differential":
            continue
        rhs = substitute_units(model.expand(eq.expr), model.defined_names)
        terms = {}
        for name in model.noise_names:
            coefficient = sympy.diff(rhs, symbol(name))
            if coefficient != 0:
                terms[name] = coefficient
                rhs = rhs.xreplace({symbol(name): sympy.Integer(0)})
        drift[symbol(eq.name)] = rhs
        noise[symbol(eq.name)] = terms
    normals = {n: symbol(n) for n in model.noise_names}
    texts = {symbol(eq.name): eq.text for eq in model.equations if eq.kind == "differential"}
    return OdeSystem([symbol(v) for v in model.state_variables], drift, noise, normals, f"model {model.name!r}", texts)


def integrated(integrator: object, system: OdeSystem) -> Statements:
    """``integrator.update(system)``, refused with a PluginError naming the integrator unless it is a
    list of (symbol, sympy expression) assignments that sets :func:`new_symbol` of every variable
    (an exception other than an snnzoo error from ``update`` is a bug of the integrator: refused too)."""
    where = f"integrator {getattr(integrator, 'name', type(integrator).__name__)!r}: update()"
    try:
        statements = integrator.update(system)
    except SnnzooError:
        raise
    except Exception as error:
        raise PluginError(f"{where} raised {type(error).__name__}: {' '.join(str(error).split())}") from error
    if not isinstance(statements, list) or not all(
            isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], sympy.Symbol)
            and isinstance(item[1], sympy.Basic) for item in statements):
        raise PluginError(f"{where} returned {str(statements)[:80]!r}; expected a list of (sympy.Symbol, sympy "
                          "expression) assignments")
    missing = [new_symbol(x).name for x in system.variables if new_symbol(x) not in {item[0] for item in statements}]
    if missing:
        raise PluginError(f"{where} sets no {', '.join(missing)} (the updated value of each variable, "
                          "new_symbol(x))")
    return statements


def new_symbol(var: sympy.Symbol) -> sympy.Symbol:
    """The symbol holding the updated value of ``var``."""
    return symbol(f"_new_{var.name}")


def _noise_increment(system: OdeSystem, x: sympy.Symbol) -> sympy.Basic:
    return sum(
        (g * system.normals[name] * sympy.sqrt(DT) for name, g in system.noise.get(x, {}).items()),
        sympy.Integer(0),
    )


MULTIPLICATIVE_NOISE_INTEGRATORS = "'heun' or 'milstein' (Stratonovich, as Brian2) or 'euler_maruyama' (Itô)"
"""What an error suggests for multiplicative noise: the two readings give different results."""


def _multiplicative_noise_term(system: OdeSystem) -> str | None:
    """The first noise term that depends on a state variable, as ``d<x>/dt (<g>*<xi>)``, or None."""
    state = set(system.variables)
    for x in system.variables:
        for name, g in system.noise.get(x, {}).items():
            if g.free_symbols & state:
                return f"d{x.name}/dt ({g}*{name})"
    return None


def _require_additive_noise(system: OdeSystem, method: str) -> None:
    term = _multiplicative_noise_term(system)
    if term is not None:
        raise EquationError(f"{system.where}: the noise term of {term} is multiplicative; '{method}' handles "
                            f"additive noise only, use {MULTIPLICATIVE_NOISE_INTEGRATORS}")


def _deterministic_only(system: OdeSystem, method: str) -> None:
    if system.stochastic:
        term = _multiplicative_noise_term(system)
        advice = ("use 'euler' (the noise is additive)" if term is None
                  else f"the noise term of {term} is multiplicative: use {MULTIPLICATIVE_NOISE_INTEGRATORS}")
        raise EquationError(f"{system.where}: the equations contain white noise xi; '{method}' is deterministic; {advice}")


def _stage(system: OdeSystem, values: dict[sympy.Symbol, sympy.Basic], t_shift: sympy.Basic) -> dict:
    """The drift of every variable evaluated at intermediate ``values`` and time ``t + t_shift``."""
    replace = dict(values)
    replace[T] = T + t_shift
    return {x: system.drift[x].xreplace(replace) for x in system.variables}


class Euler:
    """Forward Euler; with additive white noise this is Euler–Maruyama (as in Brian2)."""

    name = "euler"

    def update(self, system: OdeSystem) -> Statements:
        _require_additive_noise(system, self.name)
        return [
            (new_symbol(x), x + DT * system.drift[x] + _noise_increment(system, x)) for x in system.variables
        ]


class EulerMaruyama(Euler):
    """Euler–Maruyama (Itô) for equations with additive or multiplicative noise."""

    name = "euler_maruyama"

    def update(self, system: OdeSystem) -> Statements:
        return [
            (new_symbol(x), x + DT * system.drift[x] + _noise_increment(system, x)) for x in system.variables
        ]


class ExponentialEuler:
    """Exponential Euler for equations linear in their own variable (HH, conductances).

    Each ``dx/dt = A*x + B`` (A, B may depend on the other variables, frozen at the
    start of the step) advances exactly: ``x*exp(A*dt) + B*dt*exprel(A*dt)``, which is
    ``-B/A + (x + B/A)*exp(A*dt)`` without the division, so finite where A is 0 at run time.
    """

    name = "exponential_euler"

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
            coeff = symbol(f"_A_{x.name}")
            statements += [(coeff, a), (new_symbol(x), _exact_scalar(x, coeff, f.xreplace({x: sympy.Integer(0)})))]
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

    def update(self, system: OdeSystem) -> Statements:
        _deterministic_only(system, self.name)
        k1 = {x: symbol(f"_k1_{x.name}") for x in system.variables}
        statements: Statements = [(k1[x], system.drift[x]) for x in system.variables]
        mid = _stage(system, {x: x + DT / 2 * k1[x] for x in system.variables}, DT / 2)
        return statements + [(new_symbol(x), x + DT * mid[x]) for x in system.variables]


class RK4:
    """Classical fourth-order Runge–Kutta."""

    name = "rk4"

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


class Heun:
    """Stochastic Heun (a predictor-corrector; Stratonovich, like Brian2's ``heun``).

    ``x* = x + g(x)·dW``, ``x' = x + f(x)·dt + (g(x) + g(x*, t + dt))·dW/2`` with
    ``dW = sqrt(dt)·N(0, 1)`` for each noise source; deterministic equations get forward Euler.
    """

    name = "heun"

    def update(self, system: OdeSystem) -> Statements:
        xs = system.variables
        support = {x: symbol(f"_support_{x.name}") for x in xs}
        statements: Statements = [(support[x], x + _noise_increment(system, x)) for x in xs]
        replace = {**support, T: T + DT}
        for x in xs:
            corrected = sum(
                ((g + g.xreplace(replace)) / 2 * system.normals[name] * sympy.sqrt(DT)
                 for name, g in system.noise.get(x, {}).items()),
                sympy.Integer(0),
            )
            statements.append((new_symbol(x), x + DT * system.drift[x] + corrected))
        return statements


class Milstein:
    """Derivative-free Milstein for diagonal noise (Stratonovich, like Brian2's ``milstein``, but central).

    ``x± = x ± g(x)·sqrt(dt)``, ``x' = x + f(x)·dt + g(x)·dW + (g(x+) - g(x-))·dW²/(4·sqrt(dt))``:
    the last term is ``g·g'·dW²/2`` with a central difference, so strong order 1 where
    Euler-Maruyama has 1/2. (Brian2's one-sided difference from ``x + f·dt + g·sqrt(dt)`` adds a
    bias of order ``sqrt(dt)`` to ``g·g'``: strong order 1/2 when there is drift.) Each equation may
    have one noise source of its own; deterministic equations get forward Euler.
    """

    name = "milstein"

    def update(self, system: OdeSystem) -> Statements:
        xs = system.variables
        owner: dict[str, sympy.Symbol] = {}
        for x in xs:
            sources = list(system.noise.get(x, {}))
            if len(sources) > 1 or any(name in owner for name in sources):
                raise EquationError(
                    f"{system.where}: '{self.name}' needs diagonal noise (one noise source per equation, "
                    f"not shared); d{x.name}/dt uses {', '.join(sources)}; use 'heun' or 'euler_maruyama'"
                )
            owner.update({name: x for name in sources})
        root = sympy.sqrt(DT)
        above = {x: symbol(f"_above_{x.name}") for x in xs}
        below = {x: symbol(f"_below_{x.name}") for x in xs}
        statements: Statements = []
        for x in xs:
            kick = sum(system.noise.get(x, {}).values(), sympy.Integer(0)) * root
            statements += [(above[x], x + kick), (below[x], x - kick)]
        for x in xs:
            value = x + DT * system.drift[x]
            for name, g in system.noise.get(x, {}).items():
                dw = system.normals[name] * root
                value += g * dw + (g.xreplace(above) - g.xreplace(below)) * dw**2 / (4 * root)
            statements.append((new_symbol(x), value))
        return statements


class Exact:
    """Exact integration of linear equations ``dX/dt = A·X + b`` (Brian2's ``exact``).

    ``X' = E·X + F·b`` with ``E = exp(A·dt)`` and ``F = ∫_0^dt exp(A·s) ds``, both found
    symbolically once per model: by sympy (the last column of the exponential of the
    augmented matrix ``[[A, b], [0, 0]]·dt``, so a singular ``A`` such as a perfect
    integrator works too), or, for variables that feed each other in a loop, from the
    eigenvalues of ``A`` (:func:`_loop_propagators`). ``A`` and ``b`` may hold parameters and input variables (which
    are constant during a step); the kernel hoists the parts that depend only on shared
    parameters, so a shared-parameter system costs ``n²`` multiply-adds per neuron and step.
    Differences of two exponentials are written with ``exprel``, and a term with three or more
    rates with the divided difference of ``exp``, so equal and nearly equal rates lose no digits.
    """

    name = "exact"

    def update(self, system: OdeSystem) -> Statements:
        _deterministic_only(system, self.name)
        A, b = linear_system(system)
        xs = system.variables
        if all(A[r, c] == 0 for r in range(len(xs)) for c in range(len(xs)) if r != c):
            return [(new_symbol(x), _exact_scalar(x, A[r, r], b[r])) for r, x in enumerate(xs)]
        constants = {x: symbol(f"_b_{x.name}") for r, x in enumerate(xs) if b[r] != 0}
        E, F = _propagators(sympy.ImmutableMatrix(A), tuple(b[r] != 0 for r in range(len(xs))),
                            tuple(x.name for x in xs), system.where)
        statements: Statements = [(constants[x], b[r]) for r, x in enumerate(xs) if x in constants]
        for r, x in enumerate(xs):
            value = sum((E[r, c] * y for c, y in enumerate(xs)), sympy.Integer(0))
            value += sum((F[r, c] * constants[y] for c, y in enumerate(xs) if y in constants), sympy.Integer(0))
            statements.append((new_symbol(x), value))
        return statements


def _exact_scalar(x: sympy.Symbol, a: sympy.Basic, b: sympy.Basic) -> sympy.Basic:
    """``x(t + dt)`` for ``dx/dt = a·x + b`` (exprel keeps it exact and finite as ``a`` -> 0)."""
    if a == 0:
        return x + DT * b
    return x * sympy.exp(a * DT) + b * DT * exprel(a * DT)


@lru_cache(maxsize=128)
def _propagators(A: sympy.ImmutableMatrix, constant_rows: tuple[bool, ...], names: tuple[str, ...], where: str):
    """``E = exp(A·dt)`` and ``F`` (columns only for rows with a constant term), simplified; ``names`` are the
    variables' (rows')."""
    n = A.shape[0]
    if _loops(A):
        return _loop_propagators(A, constant_rows, _rates(A, names, where))
    solution, placeholders = _augmented_exponential(A, constant_rows, where)

    def tidy(entry: sympy.Basic, r: int, c: int, from_constant: bool) -> sympy.Basic:
        if len(_chain_rates(A, r, c, from_constant)) < 3:
            finite = _finite_at_equal_rates(sympy.factor_terms(sympy.cancel(entry)))
            if finite is not None:
                return finite
        return _chain_sum(A, r, c, from_constant)  # three rates or more: the pairs' form has none to give

    E = sympy.Matrix(n, n, lambda r, c: tidy(solution[r, c], r, c, False))
    F = sympy.Matrix(n, n, lambda r, c: tidy(sympy.diff(solution[r, n], placeholders[c]), r, c, True)
                     if constant_rows[c] else sympy.Integer(0))
    return E, F


def _augmented_exponential(A: sympy.ImmutableMatrix, constant_rows: tuple[bool, ...], where: str):
    """The exponential of ``[[A, beta], [0, 0]]·dt`` and the placeholders ``beta`` (0 for rows without a
    constant term): its first ``n`` columns are ``E``, and the derivative of its last by ``beta[c]`` is column
    ``c`` of ``F``, whether ``A`` is singular or not."""
    n = A.shape[0]
    placeholders = [symbol(f"_beta{r}") if present else sympy.Integer(0) for r, present in enumerate(constant_rows)]
    augmented = sympy.zeros(n + 1, n + 1)
    augmented[:n, :n] = A * DT
    augmented[:n, n] = sympy.Matrix(placeholders) * DT
    return _exponential(augmented, where), placeholders


def _loop_propagators(A: sympy.ImmutableMatrix, constant_rows: tuple[bool, ...], rates: list[sympy.Basic]):
    """``E = exp(A·dt)`` and ``F`` for variables that feed each other, from the ``rates`` of ``A`` (its eigenvalues,
    each as often as it occurs), in Newton's form of the polynomial that takes the values of ``exp`` at them:
    ``E = Σ_k exp[λ_1·dt, ..., λ_k+1·dt]·dt^k·P_k`` with ``P_0 = 1``, ``P_k = P_k-1·(A - λ_k)``, and ``F`` the
    same with the rate 0 added to each divided difference and one more ``dt`` (``F = dt·φ1(A·dt)``, and the
    divided differences of ``φ1(z) = exp[0, z]`` are those of ``exp`` with 0 added). Exact for any ``A`` (it
    needs no eigenvectors: equal rates and a singular ``A`` are no special case), and finite where rates agree.
    Sympy's own exponential took 4 s for v and a linear adaptation current, 20 s for three passive compartments
    without a leak, and simplifying it (as the chains' is simplified) more than 10 minutes and 8 GB."""
    n = A.shape[0]
    E, F, P = sympy.zeros(n, n), sympy.zeros(n, n), sympy.eye(n)
    for k, rate in enumerate(rates):
        points = [r * DT for r in rates[:k + 1]]
        E += exp_divided_difference(*points) * DT ** k * P
        F += exp_divided_difference(sympy.Integer(0), *points) * DT ** (k + 1) * P
        P = P * (A - rate * sympy.eye(n))
    return E, sympy.Matrix(n, n, lambda r, c: F[r, c] if constant_rows[c] else sympy.Integer(0))


def _exponential(matrix: sympy.Matrix, where: str) -> sympy.Matrix:
    """``exp(matrix)``, or an EquationError when sympy cannot find it or it oscillates (complex eigenvalues)."""
    try:
        solution = matrix.exp()
    except (NotImplementedError, ValueError, sympy.matrices.MatrixError) as err:
        raise EquationError(f"{where}: 'exact' could not find the matrix exponential of the system ({err}); "
                            "use 'rk4' or 'exponential_euler'") from None
    if solution.has(sympy.I):
        raise _oscillating(where)
    return solution




LARGEST_LOOP = 4
"""The most variables feeding each other in one loop that ``exact`` tries to solve: a loop of five or more has rates
that are roots of a polynomial of degree five or more, with no closed form unless it factors, and finding out
took 16 s for ten compartments."""


def _rates(A: sympy.ImmutableMatrix, names: tuple[str, ...], where: str) -> list[sympy.Basic]:
    """The eigenvalues of ``A``, each as often as it occurs: those of its loops (strongly connected sets of
    variables that feed each other), the roots of the factors in the parameters of each loop's characteristic
    polynomial, and the diagonal entries of the variables in no loop. A loop whose polynomial has a factor of
    degree three or more, or of more than :data:`LARGEST_LOOP` variables, is refused: sympy's roots of a cubic
    are pages long, and working out the exponential from them ran for over 10 minutes for three passive
    compartments with a leak. Complex rates (an oscillating solution, seen in the symbols) are refused too."""
    loops = _loops(A)
    in_loops = {row for loop in loops for row in loop}
    rates = [A[row, row] for row in range(A.shape[0]) if row not in in_loops]
    for loop in loops:
        listed = ", ".join(names[k] for k in loop)
        if len(loop) > LARGEST_LOOP:
            raise EquationError(
                f"{where}: 'exact' cannot integrate {listed}: they feed each other in a loop of {len(loop)} "
                f"variables, whose rates have no usable closed form ('exact' solves loops of up to {LARGEST_LOOP}); "
                "use 'rk4' or 'exponential_euler'"
            )
        rate = sympy.Dummy("rate")
        polynomial = sympy.numer(sympy.together((A.extract(loop, loop) - rate * sympy.eye(len(loop))).det(
            method="berkowitz")))
        for factor, multiplicity in sympy.factor_list(polynomial, rate)[1]:
            coefficients = sympy.Poly(factor, rate).all_coeffs()
            if len(coefficients) > 3:
                raise EquationError(
                    f"{where}: 'exact' cannot integrate {listed}: they feed each other in a loop whose rates are "
                    f"the roots of a polynomial of degree {len(coefficients) - 1} in the parameters, with no usable "
                    "closed form; use 'rk4' or 'exponential_euler'"
                )
            rates += _roots(coefficients) * multiplicity
    if any(rate.has(sympy.I) for rate in rates):
        raise _oscillating(where)
    return rates


def _oscillating(where: str) -> EquationError:
    """The refusal of a system whose matrix has complex eigenvalues."""
    return EquationError(f"{where}: the system matrix has complex eigenvalues (an oscillating solution), "
                         "which 'exact' does not handle; use 'rk4'")


def _roots(coefficients: list[sympy.Basic]) -> list[sympy.Basic]:
    """The roots of the polynomial of degree 0, 1 or 2 with ``coefficients`` (highest power first)."""
    if len(coefficients) == 1:  # a factor free of the rate (a parameter the polynomial was multiplied by)
        return []
    if len(coefficients) == 2:
        return [-coefficients[1] / coefficients[0]]
    a, b, c = coefficients
    root = sympy.sqrt(b ** 2 - 4 * a * c)
    return [(-b + root) / (2 * a), (-b - root) / (2 * a)]


def _loops(A: sympy.Matrix) -> list[list[int]]:
    """The sets of two or more variables (their rows in ``A``) that feed each other, each in order."""
    n = A.shape[0]
    feeds = [(c, r) for r in range(n) for c in range(n) if r != c and A[r, c] != 0]
    return [sorted(loop) for loop in strongly_connected_components((list(range(n)), feeds)) if len(loop) > 1]


def loop_note(model) -> str:
    """Why ``exact`` may give NaN in the first step for ``model``, whose variables feed each other in a loop
    (an empty string for other models): the closed form of a loop takes the square root of a negative number
    where its solution oscillates (complex rates, which the symbols did not show)."""
    system = ode_system(model)
    try:
        A, _ = linear_system(system)
    except EquationError:
        return ""
    loops = _loops(A)
    if not loops:
        return ""
    names = "; ".join(_listed([system.variables[k].name for k in loop]) for loop in loops)
    return (f"; with 'exact', {names} feed each other, and its closed form is undefined where they oscillate "
            "(complex rates): use 'rk4' for such values")


def _listed(names: list[str]) -> str:
    """``"a, b and c"``."""
    return ", ".join(names[:-1]) + " and " + names[-1]


def _chain_sum(A: sympy.ImmutableMatrix, r: int, c: int, from_constant: bool) -> sympy.Basic:
    """Entry ``(r, c)`` of ``E = exp(A·dt)`` (or of ``F`` with ``from_constant``) for a system
    without loops: the sum over every chain ``c -> ... -> r`` of variables feeding each other of
    the product of its couplings times ``dt**links`` times the divided difference of ``exp`` at
    the rates of the chain times dt (Opitz's formula for the exponential of a triangular
    matrix; ``F`` adds the rate 0 of the constant term). Exact and finite whatever rates agree.
    """
    total = sympy.Integer(0)
    for chain in _chains(A, r, c):
        coupling = sympy.Mul(*[A[later, earlier] for earlier, later in zip(chain, chain[1:])])
        points = [A[x, x] * DT for x in chain] + ([sympy.Integer(0)] if from_constant else [])
        total += coupling * DT ** (len(points) - 1) * exp_divided_difference(*points)
    return total


def _chain_rates(A: sympy.ImmutableMatrix, r: int, c: int, from_constant: bool) -> set[sympy.Basic]:
    """The distinct rates on the chains ``c -> ... -> r`` (with 0 for ``F``'s constant term). With three or more,
    the entry divides by differences of parameters that no pair of its terms cancels: simplifying sympy's
    exponential of it (to find a pair's form it does not have) took most of the time (86 s for a chain of five)."""
    rates = {A[x, x] for chain in _chains(A, r, c) for x in chain}
    return rates | {sympy.Integer(0)} if from_constant and rates else rates


def _chains(A: sympy.ImmutableMatrix, r: int, c: int):
    """Every chain ``c -> ... -> r`` of variables, each feeding the next (``A[next, this] != 0``), as lists of rows."""
    n = A.shape[0]
    chains = [[c]]
    while chains:
        chain = chains.pop()
        if chain[-1] == r:
            yield chain
            continue
        chains += [chain + [x] for x in range(n) if x != chain[-1] and A[x, chain[-1]] != 0]


def _finite_at_equal_rates(entry: sympy.Basic) -> sympy.Basic | None:
    """``entry`` with each ``c·(exp(p) - exp(q))``, where ``c`` divides by a multiple of ``p - q``,
    written ``c·(p - q)·exp(q)·exprel(p - q)``: the same value, but finite when two time constants
    are equal (``taue == taum`` in ``v <- ge``) and without cancellation when they nearly are.
    None when some difference of parameters stays in a denominator (three rates in one term)."""
    terms = [_exponential_factor(term) for term in sympy.Add.make_args(sympy.powsimp(sympy.expand(entry)))]
    sample = _sample_point(entry)
    values = [_value_at(coefficient, sample) for coefficient, _ in terms]
    rewritten, paired = [], set()
    for i, (coefficient, exponent) in enumerate(terms):
        if i in paired:
            continue
        partner = next((j for j in range(i + 1, len(terms)) if j not in paired and exponent is not None
                        and terms[j][1] is not None and _may_cancel(values[i], values[j])
                        and sympy.cancel(coefficient + terms[j][0]) == 0), None)
        if partner is None:
            rewritten.append(coefficient * sympy.exp(exponent) if exponent is not None else coefficient)
            continue
        paired.add(partner)
        difference = exponent - terms[partner][1]
        rewritten.append(sympy.cancel(coefficient * difference) * sympy.exp(terms[partner][1]) * exprel(difference))
    result = sympy.Add(*rewritten)
    divides_by_a_difference = any(isinstance(factor.as_base_exp()[0], sympy.Add) for term in sympy.Add.make_args(result)
                                  for factor in sympy.Mul.make_args(sympy.denom(term)))
    return None if divides_by_a_difference else result


SAMPLE_DIGITS = 50
"""Digits to which a coefficient is evaluated at the sample point (:func:`_may_cancel`)."""


def _sample_point(expression: sympy.Basic) -> dict[sympy.Symbol, sympy.Rational]:
    """Unrelated positive values (``sqrt(2) + k``-like rationals) for the symbols of ``expression``."""
    return {name: sympy.Rational(1414213 + 271828 * k, 1000000 + 314159 * k)
            for k, name in enumerate(sorted(expression.free_symbols, key=str))}


def _value_at(coefficient: sympy.Basic, sample: dict[sympy.Symbol, sympy.Rational]) -> complex | None:
    """``coefficient`` at ``sample`` to :data:`SAMPLE_DIGITS` digits, or None where that is no finite number."""
    try:
        value = complex(coefficient.xreplace(sample).evalf(SAMPLE_DIGITS))
    except (TypeError, ValueError):
        return None
    return value if cmath.isfinite(value) else None


def _may_cancel(a: complex | None, b: complex | None) -> bool:
    """Whether two coefficients may be opposite: not when their values at one sample point are not (a nonzero
    sum is zero there only by chance; evalf keeps the digits asked for). This spares sympy's ``cancel`` of
    every other pair's sum, most of the time a chain of four took."""
    return a is None or b is None or abs(a + b) <= 1e-30 * max(abs(a), abs(b))


def _exponential_factor(term: sympy.Basic) -> tuple[sympy.Basic, sympy.Basic | None]:
    """``(c, p)`` for a term ``c·exp(p)`` with one exponential, else ``(term, None)``."""
    exponentials = [factor for factor in sympy.Mul.make_args(term) if isinstance(factor, sympy.exp)]
    if len(exponentials) != 1:
        return term, None
    return term / exponentials[0], exponentials[0].args[0]


def linear_system(system: OdeSystem) -> tuple[sympy.Matrix, sympy.Matrix]:
    """``A`` and ``b`` of ``dX/dt = A·X + b``, or an EquationError naming the first term
    that is not linear in the state variables, or a dependence on ``t``."""
    xs = system.variables
    state = set(xs)
    A, b = sympy.zeros(len(xs), len(xs)), sympy.zeros(len(xs), 1)
    for r, x in enumerate(xs):
        f = system.drift[x]
        for c, y in enumerate(xs):
            A[r, c] = sympy.diff(f, y)
        b[r] = f.xreplace({y: sympy.Integer(0) for y in xs})
        rest = sympy.expand(f - sum((A[r, c] * y for c, y in enumerate(xs)), b[r]))
        if any(A[r, c].free_symbols & state or A[r, c].has(sympy.Derivative) for c in range(len(xs))) or rest != 0:
            written = f" ('{system.texts[x]}')" if x in system.texts else ""
            raise EquationError(
                f"{system.where}: d{x.name}/dt{written} is not linear in the state variables "
                f"({', '.join(v.name for v in xs)}): it has a term in {_nonlinear_part(f, state)}; 'exact' needs "
                "dX/dt = A*X + b with A and b free of them, use 'euler', 'exponential_euler' or 'rk4'"
            )
        steady = f.xreplace({call: sympy.Dummy() for call in timed_array_calls(f)})  # constant during a step
        if T in steady.free_symbols:
            raise EquationError(
                f"{system.where}: d{x.name}/dt depends on the time t; 'exact' needs coefficients that are "
                "constant during a step (feed time-varying input through a stimulus, or use 'rk4')"
            )
    return A, b


def _nonlinear_part(f: sympy.Basic, state: set[sympy.Symbol]) -> sympy.Basic:
    """The factors holding state variables of the first term of ``f`` that is not linear in them (``ge*v`` of
    ``-1000.0*ge*v/tau``: the term itself shows the numbers that units become in SI, not what the model wrote)."""
    for term in sympy.Add.make_args(sympy.expand(f)):
        if any(sympy.diff(term, y).free_symbols & state or sympy.diff(term, y).has(sympy.Derivative) for y in state):
            return sympy.Mul(*(factor for factor in sympy.Mul.make_args(term) if factor.free_symbols & state))
    return f


BY_NAME = {integrator.name: integrator for integrator in (Euler(), EulerMaruyama(), ExponentialEuler(),
                                                         ExponentialRosenbrock(), RK2(), RK4(), Heun(), Milstein(),
                                                         Exact())}
"""The core's integrators by name (:mod:`snnzoo.language.core_integrators` registers them)."""


@lru_cache(maxsize=128)
def automatic_integrator(model) -> tuple[str, str]:
    """The integrator a neuron model gets when no one names one, and why (:func:`choose_integrator`)."""
    return choose_integrator(ode_system(model))


def choose_integrator(system: OdeSystem) -> tuple[str, str]:
    """The integrator for ``system`` when no one names one, and why, as Brian2 chooses (the first
    of exact, euler and heun that applies): ``exact`` for linear deterministic equations, ``euler``
    (Euler-Maruyama) for additive noise, ``heun`` (Stratonovich) for multiplicative noise."""
    if not system.variables:
        return "euler", "no differential equations"
    try:
        Exact().update(system)
    except EquationError as err:
        if _multiplicative_noise_term(system) is not None:
            return "heun", "the noise is multiplicative (Stratonovich, as Brian2 chooses)"
        return "euler", f"not exact: {str(err).split(': ', 1)[-1]}"
    return "exact", "the equations are linear"

"""Writes the source of one numba kernel for a whole simulation.

The kernel advances every population over steps ``ctrl[0]`` to ``ctrl[1]`` in
one compiled loop. Each step follows Brian2's schedule: inputs (drives) are
applied, monitors sample (the 'start' slot), state variables are updated from
the old values, the threshold is tested on the new values (recording spikes,
disabled while refractory) and spike sources emit, projections deliver the
spikes of this step (or of ``delay`` steps ago) to their targets, and spiking
neurons are reset. The kernel returns
early (status in ``ctrl[2]``, step in ``ctrl[3]``) when a spike buffer may
overflow or the state becomes NaN or infinite; Python then drains and resumes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy

from ..expressions import substitute_units, symbol, to_code
from ..integrators import OdeSystem, new_symbol
from ..model import NeuronModel

STATUS_DONE, STATUS_BUFFER_FULL, STATUS_NOT_FINITE = 0, 1, 2


@dataclass
class PopulationPlan:
    """How one population is laid out in the kernel's arrays."""

    index: int
    name: str
    model: NeuronModel
    size: int
    integrator: object
    rows: list[str]
    heterogeneous: list[str]
    homogeneous: list[str]
    ref_steps: int
    links: dict[str, tuple[int, int, bool]] = field(default_factory=dict)
    """Linked variable -> (source population, source row, one value per neuron?)."""


@dataclass
class SourcePlan:
    """A spike source: ``kind`` "times" (given spike times) or "poisson" (rates).

    Poisson rates are "constant" (one per neuron) or "buffered" (a row per step,
    filled by Python for each chunk). Sources share the numbering of populations.
    """

    index: int
    name: str
    size: int
    kind: str
    rate_kind: str = "constant"


@dataclass
class ProjectionPlan:
    """Spikes of population ``source`` act on population ``target`` (a PopulationPlan).

    ``effects`` are ``(variable, op, coefficient)``: each spike does
    ``variable op coefficient * w`` on the postsynaptic neuron, the coefficient
    an expression of the target's parameters (1 for a plain ``ge += w``).
    ``delay`` is a constant delay in steps, or -1 for per-synapse delays (then
    an accumulator ring ``R<index>A`` holds the summed weights due at each step).
    ``per_synapse_weight`` tells whether ``R<index>W`` has one weight per synapse.
    """

    index: int
    source: int
    target: PopulationPlan
    effects: list[tuple[str, str, sympy.Basic]]
    delay: int
    per_synapse_weight: bool


@dataclass
class DrivePlan:
    """An input written into variable ``row`` of a population at the start of each step.

    ``kind`` is "piecewise" (values switch at given steps), "buffered" (a
    value per step, filled by Python for each chunk), "gaussian" (mean + std *
    N(0, 1) drawn every step) or "ou" (an Ornstein-Uhlenbeck process with its
    state in ``D<index>X``). ``per_neuron`` tells whether values (and noise)
    differ across neurons.
    """

    index: int
    population: int
    row: int
    kind: str
    per_neuron: bool


@dataclass
class MonitorPlan:
    """Samples ``variables`` of the neurons in ``M<index>I`` every ``every`` steps."""

    index: int
    population: int
    variables: list[str]
    every: int


@dataclass
class KernelPlan:
    """Everything the code generator needs; the engine fills the arrays in ``arguments`` order."""

    populations: list[PopulationPlan]
    drives: list[DrivePlan] = field(default_factory=list)
    monitors: list[MonitorPlan] = field(default_factory=list)
    sources: list[SourcePlan] = field(default_factory=list)
    projections: list[ProjectionPlan] = field(default_factory=list)

    def population(self, index: int) -> PopulationPlan:
        """The population with group index ``index`` (sources share the numbering)."""
        return next(p for p in self.populations if p.index == index)

    @property
    def spikers(self) -> list[PopulationPlan | SourcePlan]:
        """Everything that emits spikes, in index order."""
        return sorted([*self.populations, *self.sources], key=lambda p: p.index)


def model_names(model: NeuronModel) -> set[str]:
    """Every symbol name a model defines itself."""
    return set(model.units) | {"t", "dt", "i", "N"} | set(model.noise_names)


def _code_names(plan: PopulationPlan) -> dict[str, str]:
    names = {n: f"x_{n}" for n in model_names(plan.model)}
    names.update({"t": "t", "dt": "dt", "i": "fi", "N": f"fN{plan.index}"})
    names.update({n: f"z_{n}" for n in plan.model.noise_names})
    return names


def _prepared(plan: PopulationPlan, expr: sympy.Basic) -> sympy.Basic:
    return substitute_units(plan.model.expand(expr), model_names(plan.model))


def _loads(plan: PopulationPlan, needed: set[str], index: str = "i") -> list[str]:
    """Statements loading the model symbols ``needed`` for neuron ``index``."""
    k = plan.index
    lines = []
    for name in sorted(needed):
        if name in plan.links:
            source, row, per_neuron = plan.links[name]
            lines.append(f"x_{name} = S{source}[{row}, {index if per_neuron else 0}]")
        elif name in plan.rows:
            lines.append(f"x_{name} = S{k}[{plan.rows.index(name)}, {index}]")
        elif name in plan.heterogeneous:
            lines.append(f"x_{name} = H{k}[{plan.heterogeneous.index(name)}, {index}]")
        elif name in plan.homogeneous:
            lines.append(f"x_{name} = p{k}_{name}")
    if "i" in needed:
        lines.append(f"fi = float({index})")
    return lines


def _symbols_in(*exprs: sympy.Basic) -> set[str]:
    return {s.name for e in exprs for s in e.free_symbols}


def ode_system(plan: PopulationPlan) -> OdeSystem:
    """The model's differential equations as drift and noise terms, units substituted."""
    model = plan.model
    drift, noise = {}, {}
    for eq in model.equations:
        if eq.kind != "differential":
            continue
        x = symbol(eq.name)
        rhs = _prepared(plan, eq.expr)
        terms = {}
        for name in model.noise_names:
            xi = symbol(name)
            coefficient = sympy.diff(rhs, xi)
            if coefficient != 0:
                terms[name] = coefficient
                rhs = rhs.xreplace({xi: sympy.Integer(0)})
        drift[x], noise[x] = rhs, terms
    normals = {n: symbol(n) for n in model.noise_names}
    return OdeSystem([symbol(v) for v in model.state_variables], drift, noise, normals, f"model {model.name!r}")


class _Writer:
    def __init__(self):
        self.lines: list[str] = []
        self.depth = 0

    def __call__(self, *lines: str) -> None:
        self.lines += ["    " * self.depth + line for line in lines]

    def block(self, header: str):
        writer = self

        class _Block:
            def __enter__(self):
                writer(header)
                writer.depth += 1

            def __exit__(self, *exc):
                writer.depth -= 1

        return _Block()


def arguments(plan: KernelPlan) -> list[str]:
    """The kernel's argument names, in call order."""
    names = ["ctrl", "clock", "rng"]
    for p in plan.spikers:
        k = p.index
        names += [f"L{k}", f"C{k}", f"SS{k}", f"SI{k}", f"SN{k}", f"SP{k}"]
        if isinstance(p, PopulationPlan):
            names += [f"S{k}", f"P{k}", f"H{k}", f"F{k}", f"Z{k}"]
        elif p.kind == "times":
            names += [f"G{k}T", f"G{k}I", f"G{k}P"]
        else:
            names += [f"G{k}R"]
    drive_arrays = {"piecewise": "TVG", "buffered": "B", "gaussian": "MS", "ou": "MSTX"}
    for d in plan.drives:
        names += [f"D{d.index}{suffix}" for suffix in drive_arrays[d.kind]]
    for m in plan.monitors:
        names += [f"M{m.index}B", f"M{m.index}I", f"M{m.index}C"]
    for r in plan.projections:
        names += [f"R{r.index}P", f"R{r.index}J", f"R{r.index}W"]
        names += [f"R{r.index}D", f"R{r.index}A"] if r.delay < 0 else [f"R{r.index}Q", f"R{r.index}N"]
    return names


def generate(plan: KernelPlan) -> str:
    """The Python source of the kernel module for ``plan``."""
    w = _Writer()
    w("import math", "import numpy as np", "from numba import njit",
      "from snnzoo.engine.runtime import exprel, fexp, normal, uniform", "", "")
    w("@njit(cache=True, error_model='numpy', nogil=True)")
    with w.block(f"def kernel({', '.join(arguments(plan))}):"):
        w("dt = clock[0]", "n0 = ctrl[0]", "n1 = ctrl[1]")
        for p in plan.spikers:
            k = p.index
            w(f"N{k} = C{k}.shape[0]", f"fN{k} = float(N{k})")
            if isinstance(p, PopulationPlan):
                w(*[f"p{k}_{name} = P{k}[{j}]" for j, name in enumerate(p.homogeneous)])
        updates = {p.index: update_code(p) for p in plan.populations if p.model.state_variables}
        for p in plan.populations:
            if p.index in updates:
                _constants(w, p, updates[p.index])
        for r in plan.projections:
            _hoisted_coefficients(w, r)
        with w.block("for n in range(n0, n1):"):
            for p in plan.spikers:
                with w.block(f"if SN{p.index}[0] + N{p.index} > SS{p.index}.shape[0]:"):
                    w(f"ctrl[2] = {STATUS_BUFFER_FULL}", "ctrl[3] = n", "return")
            w("t = n * dt")
            _drives(w, plan)
            _monitors(w, plan)
            for p in plan.populations:
                if p.index in updates:
                    _update(w, p, updates[p.index])
            for p in plan.spikers:
                if isinstance(p, SourcePlan):
                    _emit(w, p)
                elif p.index not in updates:
                    _threshold(w, p)
            for r in plan.projections:
                _propagate(w, r)
            for p in plan.populations:
                _reset(w, p)
        w(f"ctrl[2] = {STATUS_DONE}", "ctrl[3] = n1")
    return "\n".join(w.lines) + "\n"


def _drives(w: _Writer, plan: KernelPlan) -> None:
    targets: dict[tuple[int, int], list[DrivePlan]] = {}
    for d in plan.drives:
        targets.setdefault((d.population, d.row), []).append(d)
    for (k, row), drives in targets.items():
        w("apply = n == n0")
        for d in drives:
            if d.kind != "piecewise":
                w("apply = True")
                continue
            g = f"D{d.index}G"
            with w.block(f"while {g}[0] + 1 < D{d.index}T.shape[0] and D{d.index}T[{g}[0] + 1] <= n:"):
                w(f"{g}[0] += 1", "apply = True")
        for d in drives:
            if d.kind == "ou" and not d.per_neuron:
                _ou_step(w, d, "0")
        with w.block("if apply:"):
            with w.block(f"for i in range(N{k}):"):
                w("value = 0.0")
                for d in drives:
                    col = "i" if d.per_neuron else "0"
                    if d.kind == "buffered":
                        w(f"value += D{d.index}B[n - n0, {col}]")
                    elif d.kind == "gaussian":
                        w(f"value += D{d.index}M[{col}] + D{d.index}S[{col}] * normal(rng)")
                    elif d.kind == "ou":
                        if d.per_neuron:
                            _ou_step(w, d, "i")
                        w(f"value += D{d.index}X[{col}]")
                    else:
                        with w.block(f"if D{d.index}G[0] >= 0:"):
                            w(f"value += D{d.index}V[D{d.index}G[0], {col}]")
                w(f"S{k}[{row}, i] = value")


def _ou_step(w: _Writer, d: DrivePlan, col: str) -> None:
    """Advance the Ornstein-Uhlenbeck state (exact update over one step)."""
    x, mean, sigma, tau = f"D{d.index}X[{col}]", f"D{d.index}M[{col}]", f"D{d.index}S[{col}]", f"D{d.index}T[0]"
    w(f"decay = math.exp(-dt / {tau})")
    w(f"{x} = {mean} + ({x} - {mean}) * decay + {sigma} * math.sqrt(1.0 - decay * decay) * normal(rng)")


def _monitors(w: _Writer, plan: KernelPlan) -> None:
    for m in plan.monitors:
        p = plan.population(m.population)
        exprs = [_prepared(p, symbol(v)) for v in m.variables]
        names = _code_names(p)
        with w.block(f"if n % {m.every} == 0:"):
            w(f"c = M{m.index}C[0]")
            with w.block(f"for j in range(M{m.index}I.shape[0]):"):
                w(f"i = M{m.index}I[j]")
                w(*_loads(p, _symbols_in(*exprs)))
                for col, expr in enumerate(exprs):
                    w(f"M{m.index}B[c, {col}, j] = {to_code(expr, names)}")
            w(f"M{m.index}C[0] = c + 1")


@dataclass
class UpdateCode:
    """A population's update statements with loop invariants hoisted into ``constants``."""

    statements: list[tuple[sympy.Symbol, sympy.Basic]]
    condition: sympy.Basic | None
    constants: dict[sympy.Basic, sympy.Symbol]


def update_code(p: PopulationPlan) -> UpdateCode:
    """The integrator's statements for ``p``, with parts that depend only on shared
    parameters and dt computed once per kernel call instead of once per neuron and step."""
    invariant = set(p.homogeneous) | {"dt", "N"}
    constants: dict[sympy.Basic, sympy.Symbol] = {}
    hoist = _Hoister(invariant, constants, f"h{p.index}_")
    statements = [(target, hoist(expr)) for target, expr in p.integrator.update(ode_system(p))]
    condition = hoist(_prepared(p, p.model.threshold)) if p.model.threshold is not None else None
    return UpdateCode(statements, condition, constants)


class _Hoister:
    """Replaces maximal sub-expressions of invariant symbols by named constants."""

    def __init__(self, invariant: set[str], table: dict, prefix: str):
        self.invariant, self.table, self.prefix = invariant, table, prefix

    def _constant(self, expr: sympy.Basic) -> sympy.Basic:
        if expr.is_Atom:
            return expr
        if expr not in self.table:
            self.table[expr] = symbol(f"{self.prefix}{len(self.table)}")
        return self.table[expr]

    def _invariant(self, expr: sympy.Basic) -> bool:
        return _symbols_in(expr) <= self.invariant and not isinstance(expr, sympy.logic.boolalg.Boolean)

    def __call__(self, expr: sympy.Basic) -> sympy.Basic:
        if expr.is_Atom:
            return expr
        if self._invariant(expr):
            return self._constant(expr)
        if isinstance(expr, (sympy.Add, sympy.Mul)):
            fixed = [a for a in expr.args if self._invariant(a)]
            varying = [self(a) for a in expr.args if not self._invariant(a)]
            if any(not a.is_Number for a in fixed):
                return expr.func(self._constant(expr.func(*fixed)), *varying, evaluate=False)
            return expr.func(*fixed, *varying, evaluate=False)
        return expr.func(*[self(a) for a in expr.args])


def _constants(w: _Writer, p: PopulationPlan, code: UpdateCode) -> None:
    """The hoisted constants of a population, written before the step loop."""
    names = {n: f"p{p.index}_{n}" for n in p.homogeneous}
    names["N"] = f"fN{p.index}"
    for expr, name in code.constants.items():
        w(f"{name.name} = {to_code(expr, names)}")


def _update(w: _Writer, p: PopulationPlan, code: UpdateCode) -> None:
    """State update, then (fused, in the same loop) the threshold test and a finiteness check.

    Each neuron's spike flag goes to ``F<k>``; spikes are booked in a second, cheap loop
    only when some neuron spiked, so the update loop itself stays free of branches.
    """
    k = p.index
    names = _code_names(p)
    names.update({s.name: f"s{s.name}" for s, _ in code.statements})
    names.update({c.name: c.name for c in code.constants.values()})
    exprs = [e for _, e in code.statements] + ([code.condition] if code.condition is not None else [])
    used = _symbols_in(*exprs) | set(p.model.state_variables)
    noises = p.model.noise_names
    for q in range(len(noises)):
        with w.block(f"for i in range(N{k}):"):
            w(f"Z{k}[{q}, i] = normal(rng)")
    w(f"ns{k} = 0", "spiking = 0", "bad = False")
    with w.block(f"for i in range(N{k}):"):
        w(*_loads(p, used & model_names(p.model)))
        w(*[f"z_{noise} = Z{k}[{q}, i]" for q, noise in enumerate(noises)])
        if p.ref_steps > 0:
            w(f"active = (n - L{k}[i]) >= {p.ref_steps}")
        for target, expr in code.statements:
            w(f"s{target.name} = {to_code(expr, names)}")
        for var in p.model.state_variables:
            new = f"s{new_symbol(symbol(var)).name}"
            held = p.ref_steps > 0 and var in p.model.unless_refractory
            w(f"x_{var} = {new} if active else x_{var}" if held else f"x_{var} = {new}",
              f"S{k}[{p.rows.index(var)}, i] = x_{var}")
        total = " + ".join(f"x_{v}" for v in p.model.state_variables)
        w(f"bad |= not (abs({total}) <= 1.7976931348623157e308)")
        if code.condition is not None:
            test = f"({to_code(code.condition, names)})" + (" & active" if p.ref_steps > 0 else "")
            w(f"flag = {test}", f"F{k}[i] = flag", "spiking += flag")
    with w.block("if bad:"):
        with w.block(f"for i in range(N{k}):"):
            state = " + ".join(f"S{k}[{p.rows.index(v)}, i]" for v in p.model.state_variables)
            with w.block(f"if not math.isfinite({state}):"):
                w(f"ctrl[2] = {STATUS_NOT_FINITE}", "ctrl[3] = n", f"ctrl[4] = {k}", "ctrl[5] = i", "return")
    if code.condition is not None:
        with w.block("if spiking > 0:"):
            with w.block(f"for i in range(N{k}):"):
                with w.block(f"if F{k}[i]:"):
                    _record_spike(w, k)


def _threshold(w: _Writer, p: PopulationPlan) -> None:
    """The threshold of a population without differential equations (tested on its variables)."""
    k = p.index
    w(f"ns{k} = 0")
    if p.model.threshold is None:
        return
    condition = _prepared(p, p.model.threshold)
    with w.block(f"for i in range(N{k}):"):
        w(*_loads(p, _symbols_in(condition)))
        test = to_code(condition, _code_names(p))
        if p.ref_steps > 0:
            test = f"({test}) and (n - L{k}[i]) >= {p.ref_steps}"
        with w.block(f"if {test}:"):
            _record_spike(w, k)


def _record_spike(w: _Writer, k: int) -> None:
    w(f"SP{k}[ns{k}] = i", f"ns{k} += 1", f"L{k}[i] = n", f"C{k}[i] += 1",
      f"SS{k}[SN{k}[0]] = n", f"SI{k}[SN{k}[0]] = i", f"SN{k}[0] += 1")


def _emit(w: _Writer, p: SourcePlan) -> None:
    """Spike sources: given spike times, or Poisson draws (spike iff U(0,1) < rate*dt)."""
    k = p.index
    w(f"ns{k} = 0")
    if p.kind == "times":
        with w.block(f"while G{k}P[0] < G{k}T.shape[0] and G{k}T[G{k}P[0]] < n:"):
            w(f"G{k}P[0] += 1")
        with w.block(f"while G{k}P[0] < G{k}T.shape[0] and G{k}T[G{k}P[0]] == n:"):
            w(f"i = G{k}I[G{k}P[0]]", f"G{k}P[0] += 1")
            with w.block(f"if L{k}[i] != n:"):
                _record_spike(w, k)
        return
    rate = f"G{k}R[0, i]" if p.rate_kind == "constant" else f"G{k}R[n - n0, i]"
    with w.block(f"for i in range(N{k}):"):
        with w.block(f"if uniform(rng) < {rate} * dt:"):
            _record_spike(w, k)


def _propagate(w: _Writer, r: ProjectionPlan) -> None:
    """Deliver spikes through the CSR rows ``R<r>P``/``R<r>J`` with weights ``R<r>W``."""
    src, q = r.source, r.index
    weight = f"R{q}W[s]" if r.per_synapse_weight else f"R{q}W[0]"
    if r.delay < 0:
        w(f"slots = R{q}A.shape[0]")
        with w.block(f"for q in range(ns{src}):"):
            w(f"pre = SP{src}[q]")
            with w.block(f"for s in range(R{q}P[pre], R{q}P[pre + 1]):"):
                w(f"R{q}A[(n + R{q}D[s]) % slots, R{q}J[s]] += {weight}")
        w("now = n % slots")
        with w.block(f"for j in range(R{q}A.shape[1]):"):
            w(f"wv = R{q}A[now, j]")
            with w.block("if wv != 0.0:"):
                _effects(w, r)
                w(f"R{q}A[now, j] = 0.0")
        return
    slots = r.delay + 1
    w(f"slot = n % {slots}", f"R{q}N[slot] = ns{src}")
    with w.block(f"for q in range(ns{src}):"):
        w(f"R{q}Q[slot, q] = SP{src}[q]")
    w(f"due = (n - {r.delay}) % {slots}")
    with w.block(f"for q in range(R{q}N[due]):"):
        w(f"pre = R{q}Q[due, q]")
        with w.block(f"for s in range(R{q}P[pre], R{q}P[pre + 1]):"):
            w(f"j = R{q}J[s]", f"wv = {weight}")
            _effects(w, r)


def _homogeneous(p: PopulationPlan, expr: sympy.Basic) -> bool:
    """Whether ``expr`` depends only on parameters shared by all neurons (so it can be hoisted)."""
    return _symbols_in(expr) <= set(p.homogeneous)


def _hoisted_coefficients(w: _Writer, r: ProjectionPlan) -> None:
    """Coefficients of shared parameters only are computed once per kernel call."""
    p = r.target
    names = {n: f"p{p.index}_{n}" for n in p.homogeneous}
    for e, (_, _, coefficient) in enumerate(r.effects):
        prepared = _prepared(p, coefficient)
        if prepared != 1 and _homogeneous(p, prepared):
            w(f"c{r.index}_{e} = {to_code(prepared, names)}")


def _effects(w: _Writer, r: ProjectionPlan) -> None:
    """``variable op coefficient * wv`` on neuron ``j`` of the target, for each effect."""
    p = r.target
    coefficients = [_prepared(p, c) for _, _, c in r.effects]
    per_neuron = [c for c in coefficients if c != 1 and not _homogeneous(p, c)]
    w(*_loads(p, _symbols_in(*per_neuron), index="j"))
    names = _code_names(p)
    for e, ((variable, op, _), coefficient) in enumerate(zip(r.effects, coefficients)):
        if coefficient == 1:
            amount = "wv"
        elif _homogeneous(p, coefficient):
            amount = f"c{r.index}_{e} * wv"
        else:
            amount = f"({to_code(coefficient, names)}) * wv"
        w(f"S{p.index}[{p.rows.index(variable)}, j] {op} {amount}")


def _reset(w: _Writer, p: PopulationPlan) -> None:
    if not p.model.reset:
        return
    k = p.index
    names = _code_names(p)
    exprs = [_prepared(p, e) for _, _, e in p.model.reset]
    targets = {target for target, _, _ in p.model.reset}
    with w.block(f"for q in range(ns{k}):"):
        w(f"i = SP{k}[q]")
        w(*_loads(p, _symbols_in(*exprs) | targets))
        for (target, op, _), expr in zip(p.model.reset, exprs):
            w(f"x_{target} {op} {to_code(expr, names)}")
        w(*[f"S{k}[{p.rows.index(t)}, i] = x_{t}" for t in sorted(targets)])

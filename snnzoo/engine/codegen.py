"""Writes the source of one numba kernel for a whole simulation.

The kernel advances every population from step ``ctrl[START]`` to
``ctrl[END]`` in one compiled loop (array names and slots:
:mod:`snnzoo.engine.layout`). Each step follows Brian2's schedule: inputs (drives) are
applied, monitors sample (the 'start' slot), state variables are updated from
the old values, the threshold is tested on the new values (recording spikes,
disabled while refractory) and spike sources emit, projections deliver the
spikes of this step (or of ``delay`` steps ago) to their targets, Poisson
inputs add their binomial draws, and spiking neurons are reset. Linked variables
read a snapshot of their source taken after the inputs, and writes to
``(unless refractory)`` variables of refractory neurons are dropped. The kernel returns early (``ctrl[STATUS]``, step in
``ctrl[REACHED]``) when a spike buffer may overflow or the state becomes NaN or
infinite; the simulation driver then drains and resumes.
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import keyword
import re
from dataclasses import dataclass

import sympy

from ..language.equations import ENGINE_PREFIX
from ..language.expressions import rand, randn, substitute_units, symbol
from ..language.held_update import refractory_update
from ..language.integrators import new_symbol, ode_system
from ..language.model import NeuronModel
from ..language.refractory import MAX_REFRACTORY_STEPS
from ..time_steps import GRID_TOLERANCE
from . import layout, refractoriness, synapses_codegen
from .layout import (
    CLOCK,
    CTRL,
    DRAWS,
    RNG,
    DriveArrays,
    GroupArrays,
    MonitorArrays,
    PoissonInputArrays,
    PopulationArrays,
    ProjectionArrays,
    SourceArrays,
    arguments,
    group_arrays,
)
from .plan import (
    DrivePlan,
    KernelPlan,
    PoissonInputPlan,
    PopulationPlan,
    ProjectionPlan,
    RegularOperationPlan,
    SourcePlan,
)
from .printer import MODEL_EQUATIONS, to_code
from .shared_calls import name_shared_calls


def model_names(model: NeuronModel) -> set[str]:
    """Every symbol name a model defines itself."""
    return model.defined_names


def _code_names(plan: PopulationPlan) -> dict[str, str]:
    names = {n: f"x_{n}" for n in model_names(plan.model)}
    names.update({"t": "t", "dt": "dt", "i": "fi", "N": f"fN{plan.index}"})
    names.update({n: f"z_{n}" for n in plan.model.noise_names})
    return names


def _prepared(plan: PopulationPlan, expr: sympy.Basic | int) -> sympy.Basic:
    """``expr`` (a synaptic effect's coefficient may be the number 1) expanded, with units as SI numbers."""
    return substitute_units(plan.model.expand(sympy.sympify(expr)), model_names(plan.model))


def _load(w: "_Writer", plan: PopulationPlan, needed: set[str], index: str = "i") -> None:
    """Load the model symbols ``needed`` for neuron ``index``."""
    k, a = plan.index, PopulationArrays(plan)
    lines = []
    for name in sorted(needed):
        if name in plan.links:
            lines.append(f"x_{name} = {_link_snapshot(plan, name)}[{index if plan.links[name][2] else 0}]")
        elif name in plan.rows:
            lines.append(f"x_{name} = {a.state}[{plan.rows.index(name)}, {index}]")
        elif name in plan.heterogeneous:
            lines.append(f"x_{name} = {a.per_neuron}[{plan.heterogeneous.index(name)}, {index}]")
        elif name in plan.homogeneous:
            lines.append(f"x_{name} = p{k}_{name}")
    if "i" in needed:
        lines.append(f"fi = {w.float(index)}")
    w(*lines)


def _link_snapshot(plan: PopulationPlan, name: str) -> str:
    """The kernel-local array holding linked variable ``name`` as it was at the start of the step."""
    return f"lk{plan.index}_{name}"


def _link_snapshots(w: "_Writer", plan: KernelPlan, *, allocate: bool) -> None:
    """Linked variables read their source's value at the start of the step (after inputs,
    before any population is updated), whatever the order in which populations were added:
    each source row is copied once per step into a buffer allocated once per kernel call."""
    for p in plan.populations:
        for name, (source, row, _) in p.links.items():
            snapshot, state = _link_snapshot(p, name), layout.state_array(source)
            w(f"{snapshot} = np.empty_like({state}[{row}])" if allocate else f"{snapshot}[:] = {state}[{row}, :]")


def _symbols_in(*exprs: sympy.Basic) -> set[str]:
    return {s.name for e in exprs for s in e.free_symbols}


BLOCK_FIRST, BLOCK_LAST = "np.uint64(first)", "np.uint64(last)"
"""The bounds of a thread's block as its loops use them (see :meth:`_Writer.ranges`)."""

_MODULE_NAMES = frozenset({"math", "np", "njit", "prange", "binomial", "exprel", "fexp", "exprel32", "fexp32",
                           "block_column", "block_start", "exp_divided_difference", "prefetch_row", "timed_array",
                           "normal", "uniform", "site_key", "start_draws", DRAWS}) \
    | frozenset(keyword.kwlist) | frozenset(dir(builtins))
_NAME = re.compile(r"(?<![\w.])[A-Za-z_]\w*")
_ASSIGNED = re.compile(r"^\s*(?:for\s+)?([A-Za-z_]\w*)\s*(?:=|\+=|-=|\*=|/=|\|=| in )")


class _Writer:
    def __init__(self, threads: int = 1, precision: str = "double"):
        self.lines: list[str] = []
        self.depth = 0
        self.threads = threads
        self.precision = precision
        self.functions: list[str] = []
        """Module-level functions holding the bodies of shared loops."""
        self.sites: dict[str, str] = {}
        """The random sites' labels and the names of their keys (kernel constants)."""
        self.printing = MODEL_EQUATIONS
        """What the code printed now computes: a constant single precision cannot hold is refused naming it."""

    @property
    def parallel(self) -> bool:
        """Whether some loop is shared among threads (the kernel is then compiled parallel)."""
        return bool(self.functions)

    def shares(self, size: int) -> bool:
        """Whether a loop over ``size`` neurons is worth sharing among threads."""
        return layout.shared_loop(size, self.threads)

    @contextlib.contextmanager
    def ranges(self, count: str, size: int, found: tuple[str, ...] = ()):
        """Yields the bounds ``(first, last)`` of the loops written inside: all of [0, count),
        or, when a loop over ``size`` neurons is worth sharing, one block of it per thread
        (several loops over the block then run in one parallel region).

        A block's bounds are unsigned: numba then indexes arrays without the test for negative
        indices, which would keep LLVM from vectorising the loop (measured on W6: 1.2 ms per step
        instead of 0.2). Only for loops whose iterations write disjoint elements (random numbers
        are keyed by element, so drawing is fine). ``found`` are flags the loops set with ``|=`` (after the
        loops, true or non-zero when some iteration set them): boolean, so that a loop stays as
        narrow as its float32 maths in single precision and vectorises 16 wide.
        """
        if not self.shares(size):
            yield "0", count
            return
        body = []
        with self._capture(body):
            yield BLOCK_FIRST, BLOCK_LAST
        self._share(count, body, found)

    @contextlib.contextmanager
    def loop(self, variable: str, count: str, size: int, found: tuple[str, ...] = ()):
        """``for variable in range(count)``, shared among threads when that is worth it (see :meth:`ranges`)."""
        with self.ranges(count, size, found) as (first, last):
            with self.block(f"for {variable} in range({first}, {last}):"):
                yield

    def random_site(self, label: str) -> str:
        """The kernel constant keying the random numbers drawn at the place ``label`` of the model."""
        if label not in self.sites:
            self.sites[label] = f"stream{len(self.sites)}"
        return self.sites[label]

    @contextlib.contextmanager
    def drawing(self, label: str, element: str):
        """Lines that draw random numbers take those of ``element`` in step ``n`` at site ``label``."""
        body = []
        with self._capture(body):
            yield
        if DRAWS in _names(body):
            self(f"start_draws({DRAWS}, {self.random_site(label)}, n, {element})")
        self(*body)

    def site_keys(self) -> list[str]:
        """Statements computing the random sites' keys (before the step loop)."""
        return [f"{name} = site_key({RNG}, {_label_hash(label)})" for label, name in self.sites.items()]

    @contextlib.contextmanager
    def blocks(self, count: str):
        """A body run for each of one block [first, last) of [0, count) per thread."""
        body = []
        with self._capture(body):
            yield
        self._share(count, body, ())

    @contextlib.contextmanager
    def _capture(self, body: list[str]):
        """Collect the lines written inside the block into ``body`` (at depth 0)."""
        outer, depth = self.lines, self.depth
        self.lines, self.depth = body, 0
        try:
            yield
        finally:
            self.lines, self.depth = outer, depth

    def _share(self, count: str, body: list[str], found: tuple[str, ...]) -> None:
        """A ``prange`` over one block of [0, count) per thread, each calling a function that
        runs ``body`` for its block [first, last): numba compiles the body as plain serial code,
        and the parallel part stays trivial. The blocks' ``found`` flags are added up. With one
        thread the function is called directly: starting a parallel loop costs microseconds,
        as much as a small population's whole step."""
        name = f"block{len(self.functions)}"
        assigned = {m.group(1) for line in body if (m := _ASSIGNED.match(line))}
        free = sorted(_names(body) - assigned - _MODULE_NAMES - set(found) - {"first", "last"})
        totals = f"{', '.join(found)}{',' if len(found) == 1 else ''}"
        local_stream = [f"    {DRAWS} = np.empty(1, dtype=np.uint64)"] if DRAWS in _names(body) else []
        self.functions.append("\n".join([
            "@njit(cache=True, error_model='numpy', nogil=True)",
            f"def {name}(first, last, {', '.join(free)}):",
            *local_stream, *[f"    {flag} = False" for flag in found], *_indented(body),
            f"    return {totals}" if found else "    return",
        ]))
        self(f"blocks = min({CTRL}[{layout.THREADS}], {count})")
        with self.block("if blocks == 1:"):  # np.int64(0): numba would compile the function again for a literal 0
            self._call_block(name, "np.int64(0)", count, free, found)
        with self.block("else:"):
            with self.block("for block in prange(blocks):"):
                bounds = f"block_start({count}, block, blocks)", f"block_start({count}, block + 1, blocks)"
                self._call_block(name, *bounds, free, found)

    def _call_block(self, name: str, first: str, last: str, free: list[str], found: tuple[str, ...]) -> None:
        """Call block function ``name`` on [first, last), adding its ``found`` flags to the totals."""
        call = f"{name}({first}, {last}, {', '.join(free)})"
        if found:  # a prange reduction may add, not or
            self(f"{', '.join(f'{t}_block' for t in found)}{',' if len(found) == 1 else ''} = {call}",
                 *[f"{t} += {t}_block" for t in found])
        else:
            self(call)

    def __call__(self, *lines: str) -> None:
        self.lines += ["    " * self.depth + line for line in lines]

    def code(self, expr: sympy.Basic, names: dict[str, str] | None = None) -> str:
        """The kernel source of ``expr`` in the kernel's precision."""
        return to_code(expr, names, self.precision, self.printing)

    @contextlib.contextmanager
    def about(self, printing: str):
        """The code written inside computes ``printing`` (see :attr:`printing`)."""
        outer, self.printing = self.printing, printing
        try:
            yield
        finally:
            self.printing = outer

    def float(self, value: str) -> str:
        """``value`` (code of a number) as the kernel's float type."""
        return f"np.float32({value})" if self.precision == "single" else f"float({value})"

    def block(self, header: str):
        writer = self

        class _Block:
            def __enter__(self):
                writer(header)
                writer.depth += 1

            def __exit__(self, *exc):
                writer.depth -= 1

        return _Block()


def _names(lines: list[str]) -> set[str]:
    """The names used in ``lines`` (attributes such as ``math.exp`` left out)."""
    return {name for line in lines for name in _NAME.findall(line)}


def _indented(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def _label_hash(label: str) -> int:
    """A 63-bit number naming a random site, the same in every process and kernel."""
    return int.from_bytes(hashlib.blake2b(label.encode(), digest_size=8).digest(), "little") >> 1


def generate(plan: KernelPlan, threads: int = 1) -> str:
    """The Python source of the kernel module for ``plan``, with loops over large populations
    shared among ``threads`` threads (the results do not depend on ``threads``)."""
    w = _Writer(threads, plan.precision)
    w.depth = 1
    _body(w, plan)
    maths = "exprel, exprel32, fexp, fexp32" if plan.precision == "single" else "exprel, fexp"
    header = ["import math", "import numpy as np", "from numba import njit, prange",
              "from snnzoo.engine.runtime import (binomial, block_column, block_start, exp_divided_difference,",
              f"                                   {maths}, normal, prefetch_row, site_key, start_draws,",
              "                                   timed_array, uniform)",
              "", ""]
    functions = [line for function in w.functions for line in (function, "", "")]
    kernel = [f"@njit(cache=True, error_model='numpy', nogil=True, parallel={w.parallel})",
              f"def kernel({', '.join(arguments(plan, threads))}):"]
    random = [f"{DRAWS} = np.empty(1, dtype=np.uint64)", *w.site_keys()] if w.sites else []
    return "\n".join(header + functions + kernel + _indented(random) + w.lines) + "\n"


def _body(w: _Writer, plan: KernelPlan) -> None:
    """The kernel's statements."""
    w(f"dt = {w.float(f'{CLOCK}[0]')}" if w.precision == "single" else f"dt = {CLOCK}[0]",
      f"n0 = {CTRL}[{layout.START}]", f"n1 = {CTRL}[{layout.END}]")
    for p in plan.spikers:
        k, a = p.index, group_arrays(p)
        w(f"N{k} = {a.spike_counts}.shape[0]", f"fN{k} = {w.float(f'N{k}')}")
        if isinstance(a, PopulationArrays):
            w(*[f"p{k}_{name} = {a.shared}[{j}]" for j, name in enumerate(p.homogeneous)])
    updates = {p.index: update_code(p) for p in plan.populations if p.model.state_variables}
    for p in plan.populations:
        if p.index in updates:
            with w.about(_integrated(p)):
                _constants(w, p, updates[p.index])
    for r in plan.projections:
        _hoisted_coefficients(w, r)
    _link_snapshots(w, plan, allocate=True)
    for s in plan.synapses:
        synapses_codegen.constants(w, s)
    with w.block("for n in range(n0, n1):"):
        for p in plan.spikers:
            a = group_arrays(p)
            with w.block(f"if {a.buffered}[0] + N{p.index} > {a.spike_steps}.shape[0]:"):
                w(*_stop(layout.STATUS_BUFFER_FULL, "n"), "return")
        if w.precision == "single":  # t_exact: the float64 time that timed arrays read
            w(f"t_exact = n * {CLOCK}[0]", f"t = {w.float('t_exact')}")
        else:
            w("t = n * dt")
        _drives(w, plan)
        for op in plan.regular_operations:
            _regular_operation(w, op)
        _link_snapshots(w, plan, allocate=False)
        _monitors(w, plan)
        synapses_codegen.zero_summed(w, plan.synapses)
        for s in plan.synapses:
            synapses_codegen.monitors(w, s)
            synapses_codegen.summed(w, s)
        synapses_codegen.stop_unless_summed_finite(w, plan.synapses)
        for p in plan.populations:
            if p.index in updates:
                with w.about(_integrated(p)):
                    _update(w, p, updates[p.index])
        for s in plan.synapses:
            synapses_codegen.clock_driven(w, s)
        for p in plan.spikers:
            if isinstance(p, SourcePlan):
                _emit(w, p)
            elif p.index not in updates:
                _threshold(w, p)
        for r in plan.projections:
            _propagate(w, r)
        for d in plan.poisson_inputs:
            _poisson_input(w, d)
        for s in plan.synapses:
            synapses_codegen.on_pre(w, s)
        for s in plan.synapses:
            synapses_codegen.on_post(w, s)
        _stop_unless_written_finite(w, plan)
        for p in plan.populations:
            _reset(w, p, p.index in updates and _overflow_excused_at_spikes(updates[p.index]))
    w(*_stop(layout.STATUS_DONE, "n1"))


def _integrated(p: PopulationPlan) -> str:
    """What a population's update computes, as errors name it (a constant its integrator derived)."""
    return f"population {p.name!r} (model {p.model.name!r}): its equations as its integrator computes them"


def _stop(status: int, reached: str) -> list[str]:
    """Statements reporting ``status`` and the first step not simulated."""
    return [f"{CTRL}[{layout.STATUS}] = {status}", f"{CTRL}[{layout.REACHED}] = {reached}"]


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
            a = DriveArrays(d)
            g, steps = a.segment, a.switch_steps
            with w.block(f"while {g}[0] + 1 < {steps}.shape[0] and {steps}[{g}[0] + 1] <= n:"):
                w(f"{g}[0] += 1", "apply = True")
        for d in drives:
            if d.kind == "ou" and not d.per_neuron:
                _ou_step(w, d, "0")
        with w.block("if apply:"):
            with w.loop("i", f"N{k}", plan.population(k).size):
                w("value = 0.0")
                for d in drives:
                    col, a = ("i" if d.per_neuron else "0"), DriveArrays(d)
                    if d.kind == "buffered":
                        w(f"value += {a.buffer}[n - n0, {col}]")
                    elif d.kind == "gaussian":
                        with w.drawing(_drive_site(d), "i"):
                            w(f"value += {a.mean}[{col}] + {a.spread}[{col}] * normal({DRAWS})")
                    elif d.kind == "ou":
                        if d.per_neuron:
                            _ou_step(w, d, "i")
                        w(f"value += {a.process}[{col}]")
                    else:
                        with w.block(f"if {a.segment}[0] >= 0:"):
                            w(f"value += {a.segment_values}[{a.segment}[0], {col}]")
                w(f"{layout.state_array(k)}[{row}, i] = value")


def _ou_step(w: _Writer, d: DrivePlan, col: str) -> None:
    """Advance the Ornstein-Uhlenbeck state (exact update over one step)."""
    a = DriveArrays(d)
    x, mean, sigma, tau = f"{a.process}[{col}]", f"{a.mean}[{col}]", f"{a.spread}[{col}]", f"{a.tau}[0]"
    w(f"decay = math.exp(-dt / {tau})")
    with w.drawing(_drive_site(d), col):
        w(f"{x} = {mean} + ({x} - {mean}) * decay + {sigma} * math.sqrt(1.0 - decay * decay) * normal({DRAWS})")


def _drive_site(d: DrivePlan) -> str:
    """The random site of a noisy drive."""
    return f"drive {d.index}"


def _monitors(w: _Writer, plan: KernelPlan) -> None:
    for m in plan.monitors:
        p = plan.population(m.population)
        exprs = [_prepared(p, symbol(v)) for v in m.variables]
        names, a = _code_names(p), MonitorArrays(m)
        samples = [f"{a.buffer}[c, {col}, j]" for col in range(len(exprs))]
        # the update checks the state variables; a subexpression, or a variable a synaptic effect wrote, here
        checked = {col: sample for col, (sample, v) in enumerate(zip(samples, m.variables))
                   if v not in p.model.state_variables}
        with w.block(f"if n % {m.every} == 0:"):
            w(f"c = {a.filled}[0]", "bad = False")
            with w.loop("j", f"{a.neurons}.shape[0]", m.neurons.size, found=("bad",)):
                w(f"i = {a.neurons}[j]")
                with w.drawing(f"monitor {m.name}", "i"):
                    _load(w, p, _symbols_in(*exprs))
                    for sample, expr in zip(samples, exprs):
                        w(f"{sample} = {w.code(expr, names)}")
                if checked:
                    w(f"bad |= not ({' and '.join(f'math.isfinite({sample})' for sample in checked.values())})")
            if checked:
                with w.block("if bad:"), w.block(f"for j in range({a.neurons}.shape[0]):"):
                    w(f"i = {a.neurons}[j]")
                    for col, sample in checked.items():
                        with w.block(f"if not math.isfinite({sample}):"):
                            _stop_not_finite(w, m.index, layout.SITE_MONITOR, col)
            w(f"{a.filled}[0] = c + 1")


@dataclass
class UpdateCode:
    """A population's update statements with loop invariants hoisted into ``constants``; the
    temporaries that depend on parameters alone, some given per neuron, in ``per_neuron_constants``
    (computed once per neuron and kernel call, into the array :func:`_per_neuron_constants_array`);
    and those that also depend on declared variables (``a : siemens``, which a reset, a synapse or a
    regular operation may change) in ``remembered`` (computed again only in a step where one of
    those variables differs from what it was when they were last computed: :func:`_remembered`).
    ``while_refractory`` names the values a refractory neuron takes instead of ``_new_x`` for variables it
    integrates differently, its ``(unless refractory)`` variables held (:mod:`snnzoo.language.held_update`)."""

    statements: list[tuple[sympy.Symbol, sympy.Basic]]
    condition: sympy.Basic | None
    constants: dict[sympy.Basic, sympy.Symbol]
    per_neuron_constants: list[tuple[sympy.Symbol, sympy.Basic]]
    remembered: list[tuple[sympy.Symbol, sympy.Basic]]
    remembered_inputs: list[str]
    while_refractory: dict[str, sympy.Symbol]


def update_code(p: PopulationPlan) -> UpdateCode:
    """The integrator's statements for ``p``, with parts that depend only on shared
    parameters and dt computed once per kernel call instead of once per neuron and step,
    and each costly call (:mod:`.shared_calls`) once per neuron and step, or once per neuron and
    kernel call when its arguments are parameters (a rate given per neuron)."""
    invariant = set(p.homogeneous) | {"dt", "N"}
    constants: dict[sympy.Basic, sympy.Symbol] = {}
    hoist = _Hoister(invariant, constants, f"{ENGINE_PREFIX}h{p.index}_")
    held = p.model.unless_refractory if refractoriness.not_refractory(p, "i") is not None else []
    update = refractory_update(p.integrator, ode_system(p.model), held)
    calls, statements = name_shared_calls(update.statements, f"{ENGINE_PREFIX}dd{p.index}_",
                                          computed_once=hoist.same_everywhere)
    parameters = invariant | set(p.heterogeneous) | {"i"}
    declared = parameters | set(p.model.variables)
    fixed = [(name, hoist(call)) for name, call in calls if _symbols_in(call) <= parameters]
    remembered = [(name, hoist(call)) for name, call in calls
                  if not _symbols_in(call) <= parameters and _symbols_in(call) <= declared]
    varying = [(name, call) for name, call in calls if not _symbols_in(call) <= declared]
    statements = [(target, hoist(expr)) for target, expr in varying + statements]
    condition = hoist(_prepared(p, p.model.threshold)) if p.model.threshold is not None else None
    inputs = sorted(_symbols_in(*[call for _, call in remembered]) & set(p.model.variables))
    return UpdateCode(statements, condition, constants, fixed, remembered, inputs, update.while_refractory)


def _per_neuron_constants_array(p: PopulationPlan) -> str:
    """The kernel-local array of population ``p``'s per-neuron constants, one row each."""
    return f"pc{p.index}"


def _remembered_arrays(p: PopulationPlan) -> tuple[str, str]:
    """The kernel-local arrays of population ``p``'s remembered temporaries (one row each) and of the
    declared variables they were computed from (one row each; NaN until first computed)."""
    return f"rv{p.index}", f"ri{p.index}"


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

    def same_everywhere(self, expr: sympy.Basic) -> bool:
        """Whether ``expr`` is the same for every neuron and step (a random draw never is)."""
        return (_symbols_in(expr) <= self.invariant and not isinstance(expr, sympy.logic.boolalg.Boolean)
                and not expr.has(rand, randn))

    def __call__(self, expr: sympy.Basic) -> sympy.Basic:
        if expr.is_Atom:
            return expr
        if self.same_everywhere(expr):
            return self._constant(expr)
        if isinstance(expr, (sympy.Add, sympy.Mul)):
            fixed = [a for a in expr.args if self.same_everywhere(a)]
            varying = [self(a) for a in expr.args if not self.same_everywhere(a)]
            if any(not a.is_Number for a in fixed):
                return expr.func(self._constant(expr.func(*fixed)), *varying, evaluate=False)
            return expr.func(*fixed, *varying, evaluate=False)
        return expr.func(*[self(a) for a in expr.args])


def _constants(w: _Writer, p: PopulationPlan, code: UpdateCode) -> None:
    """The hoisted constants of a population, written before the step loop."""
    names = {n: f"p{p.index}_{n}" for n in p.homogeneous}
    names["N"] = f"fN{p.index}"
    for expr, name in code.constants.items():
        w(f"{name.name} = {w.code(expr, names)}")
    dtype = "np.float32" if w.precision == "single" else "np.float64"
    if code.remembered:
        values, inputs = _remembered_arrays(p)
        w(f"{values} = np.empty(({len(code.remembered)}, N{p.index}), {dtype})",
          f"{inputs} = np.full(({len(code.remembered_inputs)}, N{p.index}), np.nan, {dtype})")
    if code.per_neuron_constants:
        array, k = _per_neuron_constants_array(p), p.index
        names = _code_names(p) | {c.name: c.name for c in code.constants.values()}
        w(f"{array} = np.empty(({len(code.per_neuron_constants)}, N{k}), {dtype})")
        with w.block(f"for i in range(N{k}):"):
            _load(w, p, _symbols_in(*[expr for _, expr in code.per_neuron_constants]) & model_names(p.model))
            w(*[f"{array}[{q}, i] = {w.code(expr, names)}" for q, (_, expr) in enumerate(code.per_neuron_constants)])


def _update(w: _Writer, p: PopulationPlan, code: UpdateCode) -> None:
    """State update, then (fused, in the same loop) the threshold test and a finiteness check.

    Each neuron's spike flag goes to the flags array; spikes are booked in a second, cheap
    loop only when some neuron spiked, so the update loop itself stays free of branches.
    """
    k, a = p.index, PopulationArrays(p)
    excused = _overflow_excused_at_spikes(code)
    names = _code_names(p)
    names.update({s.name: f"s{s.name}" for s, _ in code.statements + code.per_neuron_constants + code.remembered})
    names.update({c.name: c.name for c in code.constants.values()})
    exprs = [e for _, e in code.statements + code.remembered] + ([code.condition] if code.condition is not None else [])
    release, period = _refractory_release(p), _refractory_period(p)
    exprs += [e for e in (release, period) if e is not None]
    used = _symbols_in(*exprs) | set(p.model.state_variables)
    not_refractory = refractoriness.not_refractory(p, "i")
    noises = p.model.noise_names
    w(f"ns{k} = 0", "spiking = False", "bad = False")
    with w.ranges(f"N{k}", p.size, found=("spiking", "bad")) as (first, last):
        for q, noise in enumerate(noises):  # in loops of their own, so that the update loop vectorises
            with w.block(f"for i in range({first}, {last}):"), w.drawing(f"population {p.name} noise {noise}", "i"):
                w(f"{a.normals}[{q}, i] = normal({DRAWS})")
        with w.block(f"for i in range({first}, {last}):"), w.drawing(f"population {p.name} update", "i"):
            _load(w, p, used & model_names(p.model))
            w(*[f"z_{noise} = {a.normals}[{q}, i]" for q, noise in enumerate(noises)])
            if release is not None:
                w(f"{a.last_spike}[i] = {layout.NEVER} if not ({w.code(release, names)}) else {a.last_spike}[i]")
            if period is not None:
                _refractory_steps_now(w, a, w.code(period, names))
            if not_refractory is not None:
                w(f"active = {not_refractory}")
            w(*[f"s{name.name} = {_per_neuron_constants_array(p)}[{q}, i]"
                for q, (name, _) in enumerate(code.per_neuron_constants)])
            _remembered(w, p, code, names)
            for target, expr in code.statements:
                w(f"s{target.name} = {w.code(expr, names)}")
            for var in p.model.state_variables:
                new = f"s{new_symbol(symbol(var)).name}"
                held = not_refractory is not None and var in p.model.unless_refractory
                if held or var in code.while_refractory:
                    refractory = f"x_{var}" if held else f"s{code.while_refractory[var].name}"
                    w(f"x_{var} = {new} if active else {refractory}")
                else:
                    w(f"x_{var} = {new}")
                w(f"{a.state}[{p.rows.index(var)}, i] = x_{var}")
            total = " + ".join(f"x_{v}" for v in p.model.state_variables)
            if code.condition is not None:
                test = f"({w.code(code.condition, names)})" + (" & active" if not_refractory is not None else "")
                w(f"flag = {test}", f"{a.flags}[i] = flag", "spiking |= flag")
            largest = "np.float32(3.4028234663852886e+38)" if w.precision == "single" else "1.7976931348623157e308"
            w(f"bad |= not ((abs({total}) <= {largest}){' | flag' if excused else ''})")
        if code.condition is not None:
            _collect_spikes(w, a, shared=w.shares(p.size))
    with w.block("if bad:"):
        with w.block(f"for i in range(N{k}):"):
            with w.block(f"if {_not_finite(p, 'i')}{f' and not {a.flags}[i]' if excused else ''}:"):
                _stop_not_finite(w, k)
    if code.condition is not None:
        _book_spikes(w, a, k, collected=w.shares(p.size))


def _remembered(w: _Writer, p: PopulationPlan, code: UpdateCode, names: dict[str, str]) -> None:
    """Neuron ``i``'s remembered temporaries: computed again where one of the declared variables they
    depend on is not what it was when they were last computed (always in the kernel call's first step),
    else read. A value is the same either way, so the result does not depend on which happens."""
    if not code.remembered:
        return
    values, inputs = _remembered_arrays(p)
    changed = " or ".join(f"x_{name} != {inputs}[{q}, i]" for q, name in enumerate(code.remembered_inputs))
    with w.block(f"if {changed}:"):
        w(*[f"{inputs}[{q}, i] = x_{name}" for q, name in enumerate(code.remembered_inputs)],
          *[f"{values}[{q}, i] = {w.code(call, names)}" for q, (_, call) in enumerate(code.remembered)])
    w(*[f"s{name.name} = {values}[{q}, i]" for q, (name, _) in enumerate(code.remembered)])


def _overflow_excused_at_spikes(code: UpdateCode) -> bool:
    """Whether state that is not finite in the step a neuron spikes waits for the reset (a model with a
    threshold, in either precision).

    A runaway exponential (AdEx, an exponential integrate-and-fire model) may reach inf in the step in
    which the neuron spikes: in float32 often, in float64 at a midpoint of ``rk2`` or ``rk4``. The reset
    brings it back, as in Brian2, which resets and goes on; what the reset leaves infinite stops the run
    right after the reset (:func:`_reset`).
    """
    return code.condition is not None


def _not_finite(p: PopulationPlan, i: str, variables: list[str] | None = None) -> str:
    """The test that some of ``variables`` (the state variables unless given) of neuron ``i`` is NaN or
    infinite (variable by variable: a sum of finite values may overflow)."""
    finite = " and ".join(f"math.isfinite({layout.state_array(p.index)}[{p.rows.index(v)}, {i}])"
                          for v in (p.model.state_variables if variables is None else variables))
    return f"not ({finite})"


def _stop_not_finite(w: _Writer, group: int, site: int = layout.SITE_UPDATE, item: int = 0) -> None:
    """Stop the run at step ``n`` on neuron ``i`` of population ``group`` (for a monitor: monitor ``group``),
    where ``site`` found a value that is not finite (``item``: which regular operation, or monitor column)."""
    w(*layout.stop_not_finite(group, "i", site, item))


def _collect_spikes(w: _Writer, a: GroupArrays, shared: bool) -> None:
    """In a ``shared`` loop, each block lists its flagged neurons in order at the start of its own
    part of the spiking array, ended by -1 if shorter than the block (a serial loop's flags are
    read while booking)."""
    if not shared:
        return
    w("c = first")
    with w.block("if spiking:"):
        with _each_flagged(w, a, "first // 8, (last + 7) // 8"):
            w(f"{a.spiking}[c] = i", "c += 1")
    with w.block("if c < last:"):
        w(f"{a.spiking}[c] = -1")


def _book_spikes(w: _Writer, a: GroupArrays, k: int, collected: bool = False) -> None:
    """Book the flagged neurons' spikes, in neuron order (whichever thread flagged them): from
    the flags, scanned 8 at a time as uint64 words since few neurons spike in a step, or, when
    the blocks of a shared loop ``collected`` them, from each block's list, block after block."""
    with w.block("if spiking:"):
        if collected:
            w(f"blocks = min({CTRL}[{layout.THREADS}], N{k})")
            with w.block("for block in range(blocks):"):
                with w.block(f"for c in range(block_start(N{k}, block, blocks), block_start(N{k}, block + 1, blocks)):"):
                    w(f"i = {a.spiking}[c]")
                    with w.block("if i < 0:"):
                        w("break")
                    _record_spike(w, a, k)
            return
        with _each_flagged(w, a, "words.shape[0]"):
            _record_spike(w, a, k)


@contextlib.contextmanager
def _each_flagged(w: _Writer, a: GroupArrays, words: str):
    """Lines written inside run for each flagged neuron ``i`` of the flag words ``range(words)``, in
    order: the flags are read 8 at a time as uint64 words, since few neurons spike in a step (a
    block's words are its own: blocks start at multiples of 8 neurons, ``runtime.block_start``)."""
    w(f"words = {a.flags}.view(np.uint64)")
    with w.block(f"for word in range({words}):"):
        with w.block("if words[word] != 0:"):
            with w.block("for i in range(8 * word, 8 * word + 8):"):
                with w.block(f"if {a.flags}[i]:"):
                    yield


def _threshold(w: _Writer, p: PopulationPlan) -> None:
    """The threshold of a population without differential equations (tested on its variables)."""
    k, a = p.index, PopulationArrays(p)
    w(f"ns{k} = 0")
    if p.model.threshold is None:
        return
    condition = _prepared(p, p.model.threshold)
    release = _refractory_release(p)
    w("spiking = False")
    with w.ranges(f"N{k}", p.size, found=("spiking",)) as (first, last):
        with w.block(f"for i in range({first}, {last}):"), w.drawing(f"population {p.name} threshold", "i"):
            _load(w, p, _symbols_in(condition, *([release] if release is not None else [])))
            test = w.code(condition, _code_names(p))
            if release is not None:
                released = w.code(release, _code_names(p))
                w(f"{a.last_spike}[i] = {layout.NEVER} if not ({released}) else {a.last_spike}[i]")
            not_refractory = refractoriness.not_refractory(p, "i")
            if not_refractory is not None:
                test = f"({test}) and {not_refractory}"
            w(f"flag = {test}", f"{a.flags}[i] = flag", "spiking |= flag")
        _collect_spikes(w, a, shared=w.shares(p.size))
    _book_spikes(w, a, k, collected=w.shares(p.size))


def _record_spike(w: _Writer, a: GroupArrays, k: int) -> None:
    """Book a spike of neuron ``i`` of group ``k`` at step ``n``."""
    total = f"{a.buffered}[0]"
    w(f"{a.spiking}[ns{k}] = i", f"ns{k} += 1", f"{a.last_spike}[i] = n", f"{a.spike_counts}[i] += 1",
      f"{a.spike_steps}[{total}] = n", f"{a.spike_neurons}[{total}] = i", f"{total} += 1")


def _emit(w: _Writer, p: SourcePlan) -> None:
    """Spike sources: given spike times, or Poisson draws (spike iff U(0,1) < rate*dt)."""
    k, a = p.index, SourceArrays(p)
    w(f"ns{k} = 0")
    if p.kind == "times":
        at, times = f"{a.position}[0]", a.times
        with w.block(f"while {at} < {times}.shape[0] and {times}[{at}] < n:"):
            w(f"{at} += 1")
        with w.block(f"while {at} < {times}.shape[0] and {times}[{at}] == n:"):
            w(f"i = {a.indices}[{at}]", f"{at} += 1")
            with w.block(f"if {a.last_spike}[i] != n:"):
                _record_spike(w, a, k)
        return
    rate = f"{a.rates}[0, i]" if p.rate_kind == "constant" else f"{a.rates}[n - n0, i]"
    with w.block(f"for i in range(N{k}):"):  # books spikes in neuron order: serial
        w(f"start_draws({DRAWS}, {w.random_site(f'source {p.name}')}, n, i)")
        with w.block(f"if uniform({DRAWS}) < {rate} * {CLOCK}[0]:"):  # dt in float64 in both precisions
            _record_spike(w, a, k)


def _propagate(w: _Writer, r: ProjectionPlan) -> None:
    """Deliver this step's spikes of the source through the CSR rows to the target.

    Shared among threads (in steps with at least ``layout.PARALLEL_MIN_SIZE`` synaptic events),
    each thread takes a block [first, last) of target neurons and, in every row (sorted by
    target), the synapses onto its block: each target still receives its inputs in spike
    order, so the sums do not depend on the number of threads.
    """
    src, a = r.source, ProjectionArrays(r)
    spiking = GroupArrays(src).spiking
    if r.delay >= 0:
        slots = r.delay + 1
        w(f"slot = n % {slots}", f"{a.queued}[slot] = ns{src}")
        with w.block(f"for q in range(ns{src}):"):
            w(f"{a.queue}[slot, q] = {spiking}[q]")
        w(f"due = (n - {r.delay}) % {slots}")
        count = f"{a.queued}[due]"

        def row(q: str) -> str:
            return f"{a.queue}[due, {q}]"
    else:
        w(f"slots = {a.due}.shape[0]")
        count = f"ns{src}"

        def row(q: str) -> str:
            return f"{spiking}[{q}]"
    if not w.shares(r.target.size):
        _deliver(w, r, count, row, shared=False)
    else:
        w("events = 0")  # shared when there are enough events for more than one thread
        with w.block(f"if {CTRL}[{layout.THREADS}] > 1:"):
            with w.block(f"for q in range({count}):"):
                w(f"events += {a.row_starts}[{row('q')} + 1] - {a.row_starts}[{row('q')}]")
        with w.block(f"if events >= {layout.PARALLEL_MIN_SIZE}:"):
            with w.blocks(str(r.target.size)):
                _deliver(w, r, count, row, shared=True)
        with w.block("else:"):
            _deliver(w, r, count, row, shared=False)
    if r.delay < 0:
        w("now = n % slots")
        with w.loop("j", f"{a.due}.shape[1]", r.target.size):
            w(f"wv = {a.due}[now, j]")
            with w.block("if wv != 0.0:"):
                _effects(w, r)
                w(f"{a.due}[now, j] = 0.0")


def _deliver(w: _Writer, r: ProjectionPlan, count: str, row, shared: bool) -> None:
    """The synapses of the ``count`` presynaptic neurons ``row("q")`` due now (those onto [first, last) if
    shared: each row's part for the block is read from the bounds found before the run)."""
    a = ProjectionArrays(r)
    weight = f"{a.weights}[s]" if r.per_synapse_weight else f"{a.weights}[0]"
    rows = f"range({a.row_starts}[pre], {a.row_starts}[pre + 1])"
    if shared:
        w(f"first_column = block_column(first, {r.target.size}, {w.threads})",
          f"last_column = block_column(last, {r.target.size}, {w.threads})")
        rows = f"range({a.block_bounds}[pre, first_column], {a.block_bounds}[pre, last_column])"
    with w.block(f"for q in range({count}):"):
        w(f"pre = {row('q')}")
        if shared:  # a block's part of the next row is loaded while this row is delivered (too short a part for
            # the hardware's own prefetching, which does better than this hint on the whole rows of one thread)
            with w.block(f"if q + 1 < {count}:"):
                w(f"following = {row('q + 1')}")
                w(*[f"prefetch_row({array}, {a.block_bounds}[following, first_column], "
                    f"{a.block_bounds}[following, last_column])" for array in _streamed(r)])
        with w.block(f"for s in {rows}:"):
            if r.delay < 0:
                w(f"{a.due}[(n + {a.delays}[s]) % slots, {a.targets}[s]] += {weight}")
            else:
                w(f"j = {a.targets}[s]", f"wv = {weight}")
                _effects(w, r)


def _streamed(r: ProjectionPlan) -> list[str]:
    """The per-synapse arrays that delivering a row of ``r``'s synapses reads in order."""
    a = ProjectionArrays(r)
    return [a.targets] + ([a.weights] if r.per_synapse_weight else []) + ([a.delays] if r.delay < 0 else [])


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
            w(f"c{r.index}_{e} = {w.code(prepared, names)}")


def _effects(w: _Writer, r: ProjectionPlan) -> None:
    """``variable op coefficient * wv`` on neuron ``j`` of the target, for each effect."""
    p = r.target
    coefficients = [_prepared(p, c) for _, _, c in r.effects]
    per_neuron = [c for c in coefficients if c != 1 and not _homogeneous(p, c)]
    _load(w, p, _symbols_in(*per_neuron), index="j")
    names = _code_names(p)
    for e, ((variable, op, _), coefficient) in enumerate(zip(r.effects, coefficients)):
        if coefficient == 1:
            amount = "wv"
        elif _homogeneous(p, coefficient):
            amount = f"c{r.index}_{e} * wv"
        else:
            amount = f"({w.code(coefficient, names)}) * wv"
        write = f"{layout.state_array(p.index)}[{p.rows.index(variable)}, j] {op} {amount}"
        guard = refractoriness.refractory_guard(p, variable, "j")
        w(f"if {guard}: {write}" if guard else write)


def _poisson_input(w: _Writer, d: PoissonInputPlan) -> None:
    """Add weight * Binomial(N, p) to the target variable of every neuron (where synaptic effects act)."""
    p, constants = d.target, PoissonInputArrays(d).constants
    write = f"{layout.state_array(p.index)}[{p.rows.index(d.variable)}, i] += {constants}[4] * fired"
    guard = refractoriness.refractory_guard(p, d.variable, "i")
    with w.loop("i", f"N{p.index}", p.size), w.drawing(f"poisson input {d.index}", "i"):
        w(f"fired = binomial({DRAWS}, int({constants}[0]), {constants}[1], {constants}[2], {constants}[3])")
        w(f"if {guard}: {write}" if guard else write)


def _stop_unless_written_finite(w: _Writer, plan: KernelPlan) -> None:
    """Stop the run on a declared variable (one the update does not check: it has no differential equation)
    that a projection or Poisson input made NaN or infinite in this step, once all of them have acted."""
    written = [(r.target, variable) for r in plan.projections for variable, _, _ in r.effects]
    written += [(d.target, d.variable) for d in plan.poisson_inputs]
    declared: dict[int, set[str]] = {}
    for p, variable in written:
        if variable not in p.model.state_variables:
            declared.setdefault(p.index, set()).add(variable)
    for k, variables in sorted(declared.items()):
        with w.block(f"for i in range(N{k}):"), w.block(f"if {_not_finite(plan.population(k), 'i', sorted(variables))}:"):
            _stop_not_finite(w, k, layout.SITE_EFFECT)


def _regular_operation(w: _Writer, op: RegularOperationPlan) -> None:
    """Statements run on every neuron every ``op.every`` steps, after the inputs (Brian2's
    ``run_regularly`` in the 'start' slot); writes to ``(unless refractory)`` variables of
    refractory neurons are dropped."""
    p, names = op.target, _code_names(op.target)
    exprs = [_prepared(p, e) for _, _, e in op.statements]
    targets = {target for target, _, _ in op.statements}
    not_finite = _not_finite(p, "i", sorted(targets))
    with w.block(f"if n % {op.every} == 0:"):
        w("bad = False")
        with w.loop("i", f"N{p.index}", p.size, found=("bad",)), w.drawing(f"regular operation {op.index}", "i"):
            _load(w, p, _symbols_in(*exprs) | targets)
            for (target, operator, _), expr in zip(op.statements, exprs):
                w(f"x_{target} {operator} {w.code(expr, names)}")
            for target in sorted(targets):
                write = f"{layout.state_array(p.index)}[{p.rows.index(target)}, i] = x_{target}"
                guard = refractoriness.refractory_guard(p, target, "i", step="n - 1")
                w(f"if {guard}: {write}" if guard else write)
            w(f"bad |= {not_finite}")
        with w.block("if bad:"), w.block(f"for i in range(N{p.index}):"), w.block(f"if {not_finite}:"):
            _stop_not_finite(w, p.index, layout.SITE_REGULAR_OPERATION, op.index)


def _refractory_release(p: PopulationPlan) -> sympy.Basic | None:
    """The condition whose falsehood at the start of a step ends a neuron's refractoriness."""
    return _prepared(p, p.refractory_condition) if p.refractory_kind == "condition" else None


def _refractory_period(p: PopulationPlan) -> sympy.Basic | None:
    """The refractory period (seconds) evaluated at the start of every step, where it reads declared variables."""
    return _prepared(p, p.refractory_period) if p.refractory_period is not None else None


def _refractory_steps_now(w: _Writer, a: PopulationArrays, seconds: str) -> None:
    """Neuron ``i``'s refractory period of ``seconds`` in the whole steps it contains, as
    :func:`snnzoo.time_steps.step_containing` counts them: a negative or NaN period is no step (Brian2's
    neuron is then never refractory), a longer one than the longest supported that longest."""
    w(f"period_steps = np.floor(({seconds})/dt + {GRID_TOLERANCE!r})",
      f"{a.refractory_steps}[i] = int(period_steps) if 0.0 <= period_steps <= {float(MAX_REFRACTORY_STEPS)!r} "
      f"else ({MAX_REFRACTORY_STEPS} if period_steps > 0.0 else 0)")


def _reset(w: _Writer, p: PopulationPlan, check_finite: bool) -> None:
    """The reset of the neurons that spiked in this step; it stops the run on a variable it made NaN or
    infinite, and ``check_finite`` on any state the reset left so (see :func:`_overflow_excused_at_spikes`)."""
    if not p.model.reset and not check_finite:
        return
    k, a = p.index, PopulationArrays(p)
    names = _code_names(p)
    exprs = [_prepared(p, e) for _, _, e in p.model.reset]
    targets = {target for target, _, _ in p.model.reset}
    with w.block(f"for q in range(ns{k}):"):  # a few neurons per step: not worth sharing
        w(f"i = {a.spiking}[q]")
        if p.model.reset:
            with w.drawing(f"population {p.name} reset", "i"):
                _load(w, p, _symbols_in(*exprs) | targets)
                for (target, op, _), expr in zip(p.model.reset, exprs):
                    w(f"x_{target} {op} {w.code(expr, names)}")
            w(*[f"{a.state}[{p.rows.index(t)}, i] = x_{t}" for t in sorted(targets)])
            with w.block(f"if {_not_finite(p, 'i', sorted(targets))}:"):
                _stop_not_finite(w, k, layout.SITE_RESET)
        if check_finite:
            with w.block(f"if {_not_finite(p, 'i')}:"):
                _stop_not_finite(w, k)

"""Kernel code for projections that run a synapse model (plastic and short-term-plastic synapses).

Each such projection ``q`` keeps its synapses in CSR order by presynaptic neuron
(``Y<q>P`` row pointers, ``Y<q>J`` postsynaptic indices) and, when it has an
``on_post`` pathway, a second index by postsynaptic neuron (``Y<q>R`` row pointers
into ``Y<q>S``, the synapse numbers; ``Y<q>I`` the presynaptic index of each synapse).

Where a synaptic variable lives (:attr:`SynapsePlan.storage`):

- ``"synapse"``: one value per synapse, a row of ``Y<q>V``;
- ``"pre"`` / ``"post"``: an event-driven variable that only its own side's pathway
  writes, from its own value and shared parameters and without ``rand()`` or ``randn()``
  (a presynaptic trace such as ``Apre``), is the same for every synapse of a neuron, so it
  is kept once per neuron (rows of ``Y<q>A`` / ``Y<q>B``, last update step in ``Y<q>a`` / ``Y<q>b``).
  This is exact (Brian2 keeps one copy per synapse, advanced at each of the synapse's
  events, pre- or postsynaptic) and keeps a plastic synapse at 16-24 bytes; monitors
  and the stored state report such a trace advanced to the synapse's last event.

Shared parameters are ``Y<q>K``. Event-driven variables are advanced exactly over
the steps since their last update (``Y<q>L`` per synapse) when an event reaches
them; clock-driven ones every step with the model's integrator; summed variables are
recomputed at the start of every step. Step order follows Brian2: summed variables,
neuron updates, clock-driven synapses, thresholds, ``on_pre`` pathways, ``on_post``
pathways, resets. A value that a pathway or the clock-driven update makes NaN or infinite (a
synapse's variable, a trace, a neuron variable it writes), or a summed variable once summed, stops
the run in that step (the ``SITE_SYNAPSE*`` and ``SITE_SUMMED`` codes of :mod:`snnzoo.engine.layout`).
"""

from __future__ import annotations

import numpy as np
import sympy

from ..language.equations import ENGINE_PREFIX
from ..language.expressions import is_unit_name, rand, randn, substitute_units, symbol
from ..language.integrators import integrated, new_symbol
from ..language.synapse_model import BUILTIN_NAMES, BoundSynapse, reference
from .layout import (
    SITE_SUMMED,
    SITE_SYNAPSE,
    SITE_SYNAPSE_TARGET,
    SITE_SYNAPSE_TRACE,
    SYNAPSE_CODE,
    GroupArrays,
    PopulationArrays,
    SynapseArrays,
    SynapseMonitorArrays,
    state_array,
    stop_not_finite,
)
from .plan import SynapsePlan
from .printer import to_code
from .refractoriness import refractory_guard
from .shared_calls import name_shared_calls

STEPS = "steps"
LOOP_INDEX = {"synapse": "syn", "pre": "pre", "post": "j"}
"""The kernel's names of a synapse and of its presynaptic and postsynaptic neuron in the synapse loops."""
SYNAPSE_INDICES = {"i": LOOP_INDEX["pre"], "j": LOOP_INDEX["post"]}
"""What ``i`` and ``j`` of a synapse model are in the kernel."""


def classify(bound: BoundSynapse, heterogeneous: set[str], per_synapse_initial: set[str],
             homogeneous_delay: bool) -> dict[str, str]:
    """Decide where each variable of a bound synapse model lives (see the module docstring).

    ``heterogeneous``: parameters given one value per synapse; ``per_synapse_initial``: state
    variables given one initial value per synapse.
    """
    model = bound.model
    storage = {name: ("synapse" if name in heterogeneous else "shared") for name in model.parameters}
    shared = {name for name, where in storage.items() if where == "shared"}
    for name in model.state_variables:
        storage[name] = "synapse"
    for side, own, other in (("pre", "on_pre", "on_post"), ("post", "on_post", "on_pre")):
        if side == "pre" and not homogeneous_delay:
            continue
        candidates = {v for v in model.event_driven if storage[v] == "synapse" and v not in per_synapse_initial}
        candidates -= {t for t, _, _ in model.canonical_statements(other)}
        changed = True
        while changed:  # drop variables whose updates or dynamics read anything but their side and shared values
            changed = False
            for name in sorted(candidates):
                exprs = [e for t, _, e in model.canonical_statements(own) if t == name]
                exprs.append(model.canonical(_equation(model, name).expr))
                used = {s.name for e in exprs for s in e.free_symbols}
                allowed = candidates | shared | {"t", "dt"}
                draws = any(e.atoms(rand, randn) for e in exprs)  # Brian2 draws them per synapse
                if draws or any(u not in allowed and not _is_unit(u, model) for u in used):
                    candidates.discard(name)
                    changed = True
        for name in candidates:
            storage[name] = side
    return storage


def _equation(model, name: str):
    return next(e for e in model.equations if e.name == name)


def _is_unit(name: str, model) -> bool:
    return name not in model.units and not reference(name)[0] and is_unit_name(name)


# -- expressions -----------------------------------------------------------------------------------------------


def _neuron_ref(plan, base: str, index: str) -> str:
    """Code reading variable or parameter ``base`` of neuron ``index`` of population ``plan``."""
    k, arrays = plan.index, PopulationArrays(plan)
    if base in plan.links:
        source, row, per_neuron = plan.links[base]
        return f"{state_array(source)}[{row}, {index if per_neuron else 0}]"
    if base in plan.rows:
        return f"{arrays.state}[{plan.rows.index(base)}, {index}]"
    if base in plan.heterogeneous:
        return f"{arrays.per_neuron}[{plan.heterogeneous.index(base)}, {index}]"
    return f"p{k}_{base}"


class _Names:
    """Maps the symbols of a synapse model to kernel code for one loop body."""

    def __init__(self, s: SynapsePlan, own: dict[str, str] | None = None):
        self.s, self.own = s, dict(own or {})

    def code(self, expr: sympy.Basic) -> str:
        model = self.s.model
        defined = set(model.units) | set(self.s.bound.neuron_units) | set(BUILTIN_NAMES) | {STEPS}
        expr = substitute_units(expr, defined)
        names = {}
        for sym in expr.free_symbols:
            names[sym.name] = self.name(sym.name)
        return to_code(expr, names)

    def name(self, name: str) -> str:
        q, where = self.s.index, self.s.storage.get(name)
        if name in self.own:
            return self.own[name]
        if where == "shared":
            return f"k{q}_{name}"
        if where is not None:
            return f"y_{name}"
        if name in SYNAPSE_INDICES:
            return SYNAPSE_INDICES[name]
        side, base = reference(name)
        if side == "post":
            return _neuron_ref(self.s.target, base, "j")
        if side == "pre":
            return _neuron_ref(self.s.pre, base, "pre")
        return name  # t, dt, steps and the constants of exact updates


def _coefficients(s: SynapsePlan, name: str) -> tuple[sympy.Basic, sympy.Basic]:
    """``(a, b)`` of the event-driven equation ``dx/dt = a*x + b``."""
    x = symbol(name)
    rhs = s.model.canonical(_equation(s.model, name).expr)
    return sympy.diff(rhs, x), rhs.xreplace({x: sympy.Integer(0)})


def _shared_only(s: SynapsePlan, expr: sympy.Basic) -> bool:
    return all(s.storage.get(sym.name) == "shared" or _is_unit(sym.name, s.model) for sym in expr.free_symbols)


def _hoisted(s: SynapsePlan, name: str) -> bool:
    """Whether the event-driven ``name`` has shared coefficients (``a*dt`` and ``b/a`` become constants)."""
    a, b = _coefficients(s, name)
    return a != 0 and _shared_only(s, a) and _shared_only(s, b)


def _exact(s: SynapsePlan, name: str) -> sympy.Basic:
    """The event-driven variable ``name`` advanced exactly over ``steps`` time steps."""
    x = symbol(name)
    a, b = _coefficients(s, name)
    steps, q = symbol(STEPS), s.index
    if a == 0:
        return x + b * steps * symbol("dt")
    if _hoisted(s, name):
        ratio = symbol(f"k{q}_ratio_{name}") if b != 0 else sympy.Integer(0)
        return -ratio + (x + ratio) * sympy.exp(symbol(f"k{q}_rate_{name}") * steps)
    return -(b / a) + (x + b / a) * sympy.exp(a * symbol("dt") * steps)


# -- code emitters (``w`` is codegen's writer) -------------------------------------------------------------------


def constants(w, s: SynapsePlan) -> None:
    """Shared parameters, loaded once per kernel call."""
    q, a = s.index, SynapseArrays(s)
    w(*[f"k{q}_{name} = {a.shared}[{j}]" for j, name in enumerate(s.rows("shared"))])
    names = _Names(s)
    for name in s.model.event_driven:
        if _hoisted(s, name):
            a, b = _coefficients(s, name)
            w(f"k{q}_rate_{name} = {names.code(a * symbol('dt'))}")
            if b != 0:
                w(f"k{q}_ratio_{name} = {names.code(b / a)}")


def _load_synapse(w, s: SynapsePlan, needed: set[str]) -> None:
    a = SynapseArrays(s)
    rows = s.rows("synapse")
    for name in sorted(needed & set(rows)):
        w(f"y_{name} = {a.values}[{rows.index(name)}, syn]")


def _side_value(s: SynapsePlan, side: str, name: str, index: str, until: str = "n") -> list[str]:
    """Load a per-neuron event-driven variable of ``side``, advanced to step ``until`` (now) without storing it."""
    a = SynapseArrays(s)
    store, last = (a.pre_traces, a.pre_updated) if side == "pre" else (a.post_traces, a.post_updated)
    row = s.rows(side).index(name)
    names = _Names(s, {name: f"y_{name}"})
    update = [f"steps = {until} - {last}[{index}]", f"y_{name} = {names.code(_exact(s, name))}"]
    if _coefficients(s, name)[1] == 0:  # a pure decay keeps 0 at 0: skip the exponential (exactly the same result)
        return [f"y_{name} = {store}[{row}, {index}]", f"if y_{name} != 0.0:", *("    " + line for line in update)]
    return [f"y_{name} = {store}[{row}, {index}]", *update]


def _statement(w, names: _Names, target: str, op: str, expr: sympy.Basic, pathway: str) -> None:
    """``target op expr`` of ``pathway`` for synapse ``syn``; a write to an ``(unless refractory)`` variable of a
    refractory postsynaptic neuron ``j`` is dropped (as Brian2 and stateless projections do). A neuron variable it
    makes NaN or infinite stops the run."""
    written = names.name(target)
    write = f"{written} {op} {names.code(expr)}"
    side, base = reference(target)
    writes_neuron = side in ("pre", "post") and target not in names.s.model.units
    guard = refractory_guard(names.s.target, base, "j") if side == "post" and writes_neuron else None
    w(f"if {guard}: {write}" if guard else write)
    if writes_neuron:
        _stop_unless_finite(w, names.s, [written], "syn", SITE_SYNAPSE_TARGET, pathway)


def _stop_unless_finite(w, s: SynapsePlan, values: list[str], element: str, site: int, code: str) -> None:
    """Stop the run when one of ``values`` (code) is NaN or infinite, at ``element`` of projection ``s``'s
    ``site``, written by its ``code`` (one of ``layout.SYNAPSE_CODE``)."""
    if values:
        with w.block(f"if not ({' and '.join(f'math.isfinite({value})' for value in values)}):"):
            w(*stop_not_finite(s.index, element, site, SYNAPSE_CODE.index(code)))


def _pathway_body(w, s: SynapsePlan, pathway: str, side: str) -> None:
    """Runs ``pathway`` for neuron ``pre`` (or ``j``) of ``side``: own-side variables once, then every synapse ``syn``."""
    a = SynapseArrays(s)
    model = s.model
    statements = model.canonical_statements(pathway)
    own_rows = s.rows(side)
    store, last = (a.pre_traces, a.pre_updated) if side == "pre" else (a.post_traces, a.post_updated)
    index = "pre" if side == "pre" else "j"
    versions: dict[str, str] = {}
    with w.drawing(f"synapses {s.index} {pathway} {side}", index):
        if own_rows:
            w(f"steps = n - {last}[{index}]")
        if s.keeps_last_event(side):
            w(f"{last}[{index}] = n")
        if own_rows:
            for r, name in enumerate(own_rows):
                local = f"o_{name}_0"
                w(f"{local} = {store}[{r}, {index}]")
                versions[name] = local
            for name in own_rows:
                advanced = _Names(s, {name: versions[name]}).code(_exact(s, name))
                local = f"o_{name}_1"
                w(f"{local} = {advanced}")
                versions[name] = local
        # own-side statements run once per spike; each synapse statement sees the versions current at its position
        body: list[tuple[dict[str, str], tuple[str, str, sympy.Basic]]] = []
        for position, (target, op, expr) in enumerate(statements):
            if target in own_rows:
                names = _Names(s, versions)
                local = f"o_{target}_{position + 2}"
                value = names.code(expr)
                current = versions[target]
                combined = {"=": value, "+=": f"{current} + ({value})", "-=": f"{current} - ({value})",
                            "*=": f"{current} * ({value})", "/=": f"{current} / ({value})"}[op]
                w(f"{local} = {combined}")
                versions[target] = local
            else:
                body.append((dict(versions), (target, op, expr)))
    for r, name in enumerate(own_rows):
        w(f"{store}[{r}, {index}] = {versions[name]}")
    _stop_unless_finite(w, s, [versions[name] for name in own_rows], index, SITE_SYNAPSE_TRACE, pathway)
    if not body:
        return
    other = "post" if side == "pre" else "pre"
    other_index = "j" if side == "pre" else "pre"
    synapse_rows = s.rows("synapse")
    used = {sym.name for _, (t, _, e) in body for sym in e.free_symbols} | {t for _, (t, _, _) in body}
    with w.block("for syn in range(lo, hi):" if side == "pre" else f"for e in range({a.post_row_starts}[j], {a.post_row_starts}[j + 1]):"):
        if side == "pre":
            w(f"j = {a.targets}[syn]")
        else:
            w(f"syn = {a.by_post}[e]", f"pre = {a.sources}[syn]")
        with w.drawing(f"synapses {s.index} {pathway}", "syn"):
            events = [v for v in model.event_driven if s.storage[v] == "synapse"]
            dynamics = {sym.name for v in events
                        for sym in _coefficients(s, v)[0].free_symbols | _coefficients(s, v)[1].free_symbols}
            _load_synapse(w, s, (used | set(events) | dynamics) & set(synapse_rows))
            if events:
                w(f"steps = n - {a.updated}[syn]", f"{a.updated}[syn] = n")
                for name in events:
                    w(f"y_{name} = {_Names(s).code(_exact(s, name))}")
            for name in sorted(used & set(s.rows(other))):
                w(*_side_value(s, other, name, other_index))
            written = set(events)
            for own_versions, (target, op, expr) in body:
                _statement(w, _Names(s, own_versions), target, op, expr, pathway)
                if target in synapse_rows:
                    written.add(target)
            for name in sorted(written):
                w(f"{a.values}[{synapse_rows.index(name)}, syn] = y_{name}")
            _stop_unless_finite(w, s, [f"y_{name}" for name in sorted(written)], "syn", SITE_SYNAPSE, pathway)


def on_pre(w, s: SynapsePlan) -> None:
    """Presynaptic spikes of this step enter a ring; those due now run ``on_pre``."""
    a = SynapseArrays(s)
    src = s.source
    slots = s.max_delay + 1
    w(f"slot = n % {slots}", f"{a.queued}[slot] = ns{src}")
    with w.block(f"for qq in range(ns{src}):"):
        w(f"{a.queue}[slot, qq] = {GroupArrays(src).spiking}[qq]")
    if not s.model.pathways["on_pre"]:
        return
    if s.delay >= 0:
        w(f"due = (n - {s.delay}) % {slots}")
        with w.block(f"for qq in range({a.queued}[due]):"):
            w(f"pre = {a.queue}[due, qq]", f"lo = {a.row_starts}[pre]", f"hi = {a.row_starts}[pre + 1]")
            _pathway_body(w, s, "on_pre", "pre")
        return
    with w.block(f"for k in range({slots}):"):
        w(f"due = (n - k) % {slots}")
        with w.block(f"for qq in range({a.queued}[due]):"):
            w(f"pre = {a.queue}[due, qq]", f"first = {a.row_starts}[pre]", f"last = {a.row_starts}[pre + 1]",
              f"lo = first + np.searchsorted({a.delays}[first:last], k)",
              f"hi = first + np.searchsorted({a.delays}[first:last], k, side='right')")
            _pathway_body(w, s, "on_pre", "pre")


def on_post(w, s: SynapsePlan) -> None:
    """Postsynaptic spikes (of this step, or ``post_delay`` steps ago) run ``on_post``."""
    a = SynapseArrays(s)
    if not s.model.pathways["on_post"]:
        return
    k = s.target.index
    if s.post_delay > 0:
        slots = s.post_delay + 1
        w(f"slot = n % {slots}", f"{a.post_queued}[slot] = ns{k}")
        with w.block(f"for qq in range(ns{k}):"):
            w(f"{a.post_queue}[slot, qq] = {GroupArrays(k).spiking}[qq]")
        w(f"due = (n - {s.post_delay}) % {slots}")
        count, spike = f"{a.post_queued}[due]", f"{a.post_queue}[due, qq]"
    else:
        count, spike = f"ns{k}", f"{GroupArrays(k).spiking}[qq]"
    with w.block(f"for qq in range({count}):"):
        w(f"j = {spike}")
        _pathway_body(w, s, "on_post", "post")


def _all_synapses(w, s: SynapsePlan):
    a = SynapseArrays(s)
    writer = w

    class _Loop:
        def __enter__(self):
            writer(f"for pre in range({a.row_starts}.shape[0] - 1):")
            writer.depth += 1
            writer(f"for syn in range({a.row_starts}[pre], {a.row_starts}[pre + 1]):")
            writer.depth += 1
            writer(f"j = {a.targets}[syn]")

        def __exit__(self, *exc):
            writer.depth -= 2

    return _Loop()


def _load_for(w, s: SynapsePlan, exprs: list[sympy.Basic]) -> None:
    """Load what ``exprs`` use of synapse ``syn`` (its pre- and postsynaptic traces as stored)."""
    a = SynapseArrays(s)
    used = {sym.name for e in exprs for sym in e.free_symbols}
    _load_synapse(w, s, used)
    for side, index in (("pre", "pre"), ("post", "j")):
        for name in sorted(used & set(s.rows(side))):
            w(f"y_{name} = {a.pre_traces if side == 'pre' else a.post_traces}[{s.rows(side).index(name)}, {index}]")


def zero_summed(w, plans: list[SynapsePlan]) -> None:
    """Set every summed target variable to 0 before the projections add their sums (several may sum
    into the same variable): on every neuron, or only on the slices of the target the projections
    were made onto (the other neurons keep their values, as in Brian2)."""
    slices: dict[tuple[int, int], list[str | None]] = {}
    for s in plans:
        for name in s.model.summed:
            neurons = SynapseArrays(s).summed_neurons if s.summed_neurons is not None else None
            slices.setdefault((s.target.index, s.target.rows.index(reference(name)[1])), []).append(neurons)
    for (k, row), neurons in sorted(slices.items()):
        loops = [f"for j in range(N{k}):"] if None in neurons else [f"for j in {array}:" for array in dict.fromkeys(neurons)]
        for loop in loops:
            with w.block(loop):
                w(f"{state_array(k)}[{row}, j] = 0.0")


def summed(w, s: SynapsePlan) -> None:
    """Add each summed variable's expression over the projection's synapses to its target
    (set to 0 first by :func:`zero_summed`)."""
    if not s.model.summed:
        return
    k = s.target.index
    model = s.model
    rows = {name: s.target.rows.index(reference(name)[1]) for name in model.summed}
    exprs = {name: model.canonical(eq.expr) for name, eq in model.summed.items()}
    names = _Names(s)
    with _all_synapses(w, s), w.drawing(f"synapses {s.index} summed", "syn"):
        _load_for(w, s, list(exprs.values()))
        for name, expr in exprs.items():
            w(f"{state_array(k)}[{rows[name]}, j] += {names.code(expr)}")


def stop_unless_summed_finite(w, plans: list[SynapsePlan]) -> None:
    """Stop the run on a summed variable that became NaN or infinite, once all projections have summed into
    it (before a neuron reads it)."""
    rows: dict[int, set[int]] = {}
    for s in plans:
        for name in s.model.summed:
            rows.setdefault(s.target.index, set()).add(s.target.rows.index(reference(name)[1]))
    for k, summed_rows in sorted(rows.items()):
        finite = " and ".join(f"math.isfinite({state_array(k)}[{row}, j])" for row in sorted(summed_rows))
        with w.block(f"for j in range(N{k}):"), w.block(f"if not ({finite}):"):
            w(*stop_not_finite(k, "j", SITE_SUMMED))


def clock_driven(w, s: SynapsePlan) -> None:
    """The clock-driven equations of every synapse, one integrator step."""
    a = SynapseArrays(s)
    model = s.model
    if not model.clock_driven:
        return
    variables = [symbol(v) for v in model.clock_driven]
    calls, statements = name_shared_calls(integrated(s.integrator, model.clock_driven_system()), f"{ENGINE_PREFIX}dd")
    statements = calls + statements
    names = _Names(s, {st.name: f"c_{st.name}" for st, _ in statements})
    rows = s.rows("synapse")
    with _all_synapses(w, s), w.drawing(f"synapses {s.index} clock-driven", "syn"):
        _load_for(w, s, [e for _, e in statements] + [symbol(v) for v in model.clock_driven])
        for target, expr in statements:
            w(f"c_{target.name} = {names.code(expr)}")
        for x in variables:
            w(f"{a.values}[{rows.index(x.name)}, syn] = c_{new_symbol(x).name}")
        _stop_unless_finite(w, s, [f"c_{new_symbol(x).name}" for x in variables], "syn", SITE_SYNAPSE, "clock-driven")


def _last_event_steps(s: SynapsePlan) -> list[tuple[str, str]]:
    """The arrays whose largest entry for a synapse is the step of its last event, pre- or postsynaptic,
    each with what it is indexed by: ``"synapse"``, ``"pre"`` or ``"post"`` (neuron)."""
    a = SynapseArrays(s)
    steps = [(a.updated, "synapse")] if s.per_synapse_events else []
    return steps + [(last, side) for side, last in (("pre", a.pre_updated), ("post", a.post_updated))
                    if s.keeps_last_event(side)]


def _last_event(s: SynapsePlan) -> str:
    """Code for the step of synapse ``syn``'s (from ``pre`` to ``j``) last event."""
    steps = [f"{array}[{LOOP_INDEX[by]}]" for array, by in _last_event_steps(s)]
    return steps[0] if len(steps) == 1 else f"max({', '.join(steps)})"


def stored_values(s: SynapsePlan, arrays: dict[str, np.ndarray], dt: float) -> dict[str, np.ndarray]:
    """The stored value of every state variable, one per synapse, as Brian2 stores it: a trace kept
    per neuron is advanced to each synapse's last event (as :func:`monitors` records it)."""
    a, syn = SynapseArrays(s), s.synapses
    values = {name: arrays[a.values][r].copy() for r, name in enumerate(s.rows("synapse"))}
    of_synapse = {"synapse": slice(None), "pre": syn.pre, "post": syn.post}
    last_steps = [arrays[array][of_synapse[by]] for array, by in _last_event_steps(s)]
    last_event = np.maximum.reduce(last_steps) if last_steps else None
    shared = {symbol(name): float(s.values[name][0]) for name in s.rows("shared")}
    for side, store, last in (("pre", a.pre_traces, a.pre_updated), ("post", a.post_traces, a.post_updated)):
        neuron = of_synapse[side]
        for r, name in enumerate(s.rows(side)):
            rate, offset = (float(substitute_units(c, set(s.model.units)).xreplace(shared))
                            for c in _coefficients(s, name))
            value, elapsed = arrays[store][r][neuron], (last_event - arrays[last][neuron]) * dt
            if rate == 0:
                values[name] = value + offset * elapsed
            else:
                values[name] = -(offset / rate) + (value + offset / rate) * np.exp(rate * elapsed)
    return values


def monitors(w, s: SynapsePlan) -> None:
    """Synapse monitors sample their synapses' stored values (as Brian2 records event-driven variables):
    a trace kept per neuron as of the synapse's last event."""
    q, a = s.index, SynapseArrays(s)
    for m in s.monitors:
        ma = SynapseMonitorArrays(m)
        with w.block(f"if n % {m.every} == 0:"):
            w(f"c = {ma.filled}[0]")
            with w.block(f"for col in range({ma.synapses}.shape[0]):"):
                w(f"syn = {ma.synapses}[col]", f"j = {a.targets}[syn]",
                  f"pre = np.searchsorted({a.row_starts}, syn, side='right') - 1")
                for v, name in enumerate(m.variables):
                    where = s.storage[name]
                    if where == "synapse":
                        value = f"{a.values}[{s.rows('synapse').index(name)}, syn]"
                    elif where in ("pre", "post"):
                        w(*_side_value(s, where, name, "pre" if where == "pre" else "j", until=_last_event(s)))
                        value = f"y_{name}"
                    else:
                        value = f"k{q}_{name}"
                    w(f"{ma.buffer}[c, {v}, col] = {value}")
            w(f"{ma.filled}[0] = c + 1")

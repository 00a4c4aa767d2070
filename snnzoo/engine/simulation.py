"""The simulation driver: runs the kernel of a plan in chunks and keeps what it records.

A :class:`Simulation` compiles (or loads) the kernel of a :class:`KernelPlan`,
allocates its arrays (see :mod:`snnzoo.engine.layout`), and advances it chunk
by chunk: before each chunk it fills the per-step buffers (drives and rates
given as functions of time, monitor buffers), after it drains the spike and
sample buffers. Ctrl-C stops at the end of the current chunk.

With several threads, loops over large populations (neuron updates with their
noise, threshold tests, drives, Poisson inputs, monitors) and the delivery of
spikes are shared among them; random numbers are keyed by element and step (see
:mod:`snnzoo.engine.runtime`) and every target sums its synaptic inputs in spike
order, so the results are the same bit for bit whatever the number of threads (see
:mod:`snnzoo.engine.codegen`).
"""

from __future__ import annotations

import os
import signal
import threading
import time

import numba
import numpy as np
import pint

from ..errors import ConfigError, SimulationError, SnnzooError, UnitError
from ..units import as_quantity, dimension_of, si_unit_string, ureg, whole_number
from . import layout, precision
from .kernel_key import kernel_module
from .layout import (
    DriveArrays,
    MonitorArrays,
    PoissonInputArrays,
    PopulationArrays,
    ProjectionArrays,
    SourceArrays,
    SynapseArrays,
    SynapseMonitorArrays,
    group_arrays,
)
from .memory import MemoryBudget, record_bytes
from .plan import KernelPlan, MonitorPlan, PopulationPlan, SynapsePlan
from .thread_choice import ThreadChoice

CHUNK_STEPS = 2000
"""Steps per kernel call; Python drains buffers and checks for Ctrl-C between calls."""


def available_cores() -> int:
    """The number of cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def thread_count(requested: int | None) -> tuple[int, str | None]:
    """The number of threads to use for ``requested`` (None: every core this process may use),
    and a warning if it was capped. Kernels whose populations are all small stay serial whatever
    the count, and :class:`ThreadChoice` runs with one thread whenever that is faster."""
    cores = available_cores()
    if requested is None:
        return cores, None
    requested = whole_number(requested, what="threads", minimum=1)
    if requested > cores:
        return cores, f"threads = {requested} is more than the {cores} cores here; using {cores}"
    return requested, None


SPIN_COUNT = "10000"
"""How long (``GOMP_SPINCOUNT``, busy-wait iterations, some microseconds) an OpenMP thread
waits for the next shared loop before it sleeps. OpenMP's default (300 000) keeps idle threads
spinning for about a millisecond after every shared loop: on a machine busy with other work
that took the cores from the threads with work (measured: W6 at 20 000 neurons 45x the CPU time
of one thread). Shorter waits cost nothing on an idle machine, where the next loop comes sooner."""


def use_threading_layer() -> None:
    """Prefer numba's OpenMP threading layer (then TBB, then its own workqueue, which costs
    tens of microseconds per shared loop) with a short spin, unless the user chose a layer or
    a spin count. Takes effect if no shared loop has run in this process yet."""
    os.environ.setdefault("GOMP_SPINCOUNT", SPIN_COUNT)
    if "NUMBA_THREADING_LAYER" not in os.environ:
        numba.config.THREADING_LAYER_PRIORITY = ["omp", "tbb", "workqueue"]


class Simulation:
    """The compiled kernel of ``plan``, its arrays and what it has recorded so far."""

    def __init__(self, plan: KernelPlan, dt: float, seed: int, threads: int = 1):
        self.plan, self.dt = plan, dt
        self.threads = min(threads, numba.config.NUMBA_NUM_THREADS)
        self.float_type = precision.FLOAT_TYPES[plan.precision]
        precision.check_plan_fits(plan, dt)
        self.kernel = kernel_module(plan, self.threads).kernel
        self.parallel = bool(self.kernel.targetoptions.get("parallel"))
        """Whether the kernel shares loops among threads (else it runs serially, whatever ``threads``)."""
        if self.parallel:
            use_threading_layer()
        self.thread_choice = ThreadChoice(self.threads if self.parallel else 1)
        self.arrays = _allocate(plan, dt, seed, self.threads)
        self.step = 0
        """The first step not simulated yet."""
        self._spikes: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {p.name: ([], []) for p in plan.spikers}
        self._samples: list[list[np.ndarray]] = [[] for _ in plan.monitors]
        self._synapse_samples: dict[int, list[np.ndarray]] = {m.index: [] for s in plan.synapses for m in s.monitors}

    def continue_from(self, previous: Simulation) -> None:
        """Take over where ``previous`` (the same network before something was added between
        runs) stopped: its step, recordings and dynamic state (spikes in flight, random stream,
        stimulus positions; see :func:`layout.dynamic_state`). Monitors keep their index."""
        self.step = previous.step
        self._spikes.update(previous._spikes)
        self._samples[: len(previous._samples)] = previous._samples
        self._synapse_samples.update({m: chunks for m, chunks in previous._synapse_samples.items()
                                      if m in self._synapse_samples})
        for name in layout.dynamic_state(previous.plan):
            if name in self.arrays and self.arrays[name].shape == previous.arrays[name].shape:
                self.arrays[name] = previous.arrays[name]

    # -- state ------------------------------------------------------------------
    def write(self, population: str, name: str, values: np.ndarray) -> None:
        """Set parameter or variable ``name`` of ``population`` (one value per neuron)."""
        a = PopulationArrays(self.plan.population_named(population))
        self._check_fits(values, f"population {population!r}: {name}")
        array, index = a.location(name)
        self.arrays[array][index] = values if array != a.shared else values[0]

    def read_state(self, population: str) -> dict[str, np.ndarray]:
        """The current values of every state and input variable of ``population``."""
        p = self.plan.population_named(population)
        state = self.arrays[PopulationArrays(p).state]
        return {name: state[r].copy() for r, name in enumerate(p.rows)}

    def read_synapses(self, projection: int) -> dict[str, np.ndarray]:
        """The stored state variables of projection ``projection``'s synapse model, one value per synapse."""
        from . import synapses_codegen  # sympy: imported only where a run has synapse models

        s = next(s for s in self.plan.synapses if s.index == projection)
        return synapses_codegen.stored_values(s, self.arrays, self.dt)

    # -- recordings -------------------------------------------------------------
    def spikes(self, group: str) -> tuple[np.ndarray, np.ndarray]:
        """The steps and neuron indices of every spike of ``group`` so far, in order."""
        steps, neurons = self._spikes[group]
        return (np.concatenate(steps) if steps else np.zeros(0, dtype=np.int64),
                np.concatenate(neurons) if neurons else np.zeros(0, dtype=np.int32))

    def spike_counts(self, group: str) -> np.ndarray:
        """Spikes per neuron of ``group`` so far."""
        p = next(p for p in self.plan.spikers if p.name == group)
        return self.arrays[group_arrays(p).spike_counts].copy()

    def samples(self, monitor: int) -> np.ndarray:
        """Monitor ``monitor``'s samples so far: (samples, variables, neurons)."""
        chunks = self._samples[monitor]
        empty = MonitorArrays(self.plan.monitors[monitor]).sample_buffer(0).astype(self.float_type)
        return np.concatenate(chunks) if chunks else empty

    def synapse_samples(self, monitor: int) -> np.ndarray:
        """Synapse monitor ``monitor``'s samples so far: (samples, variables, synapses)."""
        chunks = self._synapse_samples[monitor]
        plan = next(m for s in self.plan.synapses for m in s.monitors if m.index == monitor)
        return np.concatenate(chunks) if chunks else SynapseMonitorArrays(plan).sample_buffer(0)

    # -- running ----------------------------------------------------------------
    def check_memory(self, n_steps: int, budget: MemoryBudget) -> None:
        """Refuse a run whose recordings (all samples so far and of ``n_steps`` more steps) would
        not fit in ``budget`` with everything else the network holds."""
        recordings = [(f"monitor {m.name!r} on population {self.plan.population(m.population).name!r}", m.every,
                       len(m.variables), m.neurons.size, "neurons") for m in self.plan.monitors]
        recordings += [(f"synapse monitor {m.name!r}", m.every, len(m.variables), m.synapses.size, "synapses")
                       for s in self.plan.synapses for m in s.monitors]
        for what, every, variables, width, unit in recordings:
            samples = _multiples_between(0, self.step + n_steps, every)
            budget.require(what, record_bytes(samples, variables, width),
                           f"{samples} samples x {width} {unit} x {variables} variables: "
                           f"record fewer {unit} or variables, or at a lower rate")

    def advance(self, n_steps: int, *, progress: bool = False) -> bool:
        """Simulate ``n_steps`` more steps; False if Ctrl-C stopped it early.

        ``progress`` shows a bar with simulated time, speed and ETA on stderr.
        Raises :class:`SimulationError` when the state becomes NaN or infinite.
        """
        arrays, start, end = self.arrays, self.step, self.step + n_steps
        if self.plan.precision == "single" and end > precision.MAX_SINGLE_PRECISION_STEPS:
            raise ConfigError(f"single precision runs at most {precision.MAX_SINGLE_PRECISION_STEPS} steps in all "
                              f"(last-spike steps are int32); this run would reach step {end}; use precision 'double'")
        interrupted: list[bool] = []
        on_main = threading.current_thread() is threading.main_thread()
        bar = _progress_bar(n_steps * self.dt, progress)
        previous = signal.signal(signal.SIGINT, lambda *_: interrupted.append(True)) if on_main else None
        try:
            while self.step < end and not interrupted:
                threads, steps = self.thread_choice.next(min(end - self.step, CHUNK_STEPS))
                chunk_end = self.step + steps
                self._prepare_chunk(self.step, chunk_end)
                call_args = [arrays[name] for name in layout.arguments(self.plan, self.threads)]
                arrays[layout.CTRL][[layout.START, layout.END, layout.THREADS]] = (self.step, chunk_end, threads)
                began = time.perf_counter()
                if self.parallel:
                    numba.set_num_threads(threads)
                self.kernel(*call_args)
                seconds = time.perf_counter() - began
                status, reached = int(arrays[layout.CTRL][layout.STATUS]), int(arrays[layout.CTRL][layout.REACHED])
                failure = self._not_finite_error(start) if status == layout.STATUS_NOT_FINITE else None
                self._drain()
                if failure is not None:
                    self.step = reached
                    raise failure
                self.thread_choice.record(threads, reached - self.step, seconds)
                bar.update((reached - self.step) * self.dt)
                self.step = reached
        finally:
            bar.close()
            if on_main:  # None: a handler set outside Python, which Python can only replace by the default
                signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)
        return not interrupted

    def _prepare_chunk(self, n0: int, n1: int) -> None:
        """Fill the buffers for steps n0..n1: drive values and rates given as functions, monitor space."""
        arrays = self.arrays
        t = (np.arange(n0, n1, dtype=float) * self.dt)[:, None]
        for d in self.plan.drives:
            if d.kind == "buffered":
                i = np.arange(d.size)[None, :] if d.per_neuron else np.zeros((1, 1), dtype=int)
                a = DriveArrays(d)
                values = _call_user_function(d.drive.function, t, i, (n1 - n0, i.shape[1]), _drive_unit(self.plan, d),
                                             _drive_name(self.plan, d))
                self._check_fits(values, _drive_name(self.plan, d))
                arrays[a.buffer] = a.chunk_buffer(values, n1 - n0).astype(self.float_type, copy=False)
        for p in self.plan.sources:
            if p.rate_kind == "buffered":
                rates = _call_user_function(p.spec.function, t, np.arange(p.size)[None, :], (n1 - n0, p.size),
                                            "Hz", f"source {p.name!r}: rate function")
                if (rates < 0).any():
                    raise SimulationError(f"source {p.name!r}: the rate function gave negative or non-finite rates")
                arrays[SourceArrays(p).rates] = rates
        monitors = [MonitorArrays(m) for m in self.plan.monitors]
        monitors += [SynapseMonitorArrays(m) for s in self.plan.synapses for m in s.monitors]
        for a in monitors:
            count = _multiples_between(n0, n1, a.plan.every)
            if arrays[a.buffer].shape[0] < count:
                arrays[a.buffer] = a.sample_buffer(count).astype(arrays[a.buffer].dtype, copy=False)

    def _check_fits(self, values: np.ndarray, what: str) -> None:
        """In single precision, refuse ``values`` that float32 cannot hold (see :mod:`precision`)."""
        if self.plan.precision == "single":
            precision.check_fits(values, what)

    def _drain(self) -> None:
        """Move the spikes and samples the kernel buffered into the recordings."""
        arrays = self.arrays
        for p in self.plan.spikers:
            a = group_arrays(p)
            count = int(arrays[a.buffered][0])
            if count:
                steps, neurons = self._spikes[p.name]
                steps.append(arrays[a.spike_steps][:count].copy())
                neurons.append(arrays[a.spike_neurons][:count].copy())
                arrays[a.buffered][0] = 0
        for m in self.plan.monitors:
            a = MonitorArrays(m)
            count = int(arrays[a.filled][0])
            if count:
                self._samples[m.index].append(arrays[a.buffer][:count].copy())
                arrays[a.filled][0] = 0
        for m in (m for s in self.plan.synapses for m in s.monitors):
            a = SynapseMonitorArrays(m)
            count = int(arrays[a.filled][0])
            if count:
                self._synapse_samples[m.index].append(arrays[a.buffer][:count].copy())
                arrays[a.filled][0] = 0

    def _not_finite_error(self, run_start: int) -> SimulationError:
        """What the kernel found not finite, where, and its likely cause: in the first step of a run, which
        starts from finite values, an expression undefined for them; later, a divergence."""
        ctrl = self.arrays[layout.CTRL]
        group, neuron, n = int(ctrl[layout.FAILING_GROUP]), int(ctrl[layout.FAILING_NEURON]), int(ctrl[layout.REACHED])
        site, item = int(ctrl[layout.FAILING_SITE]), int(ctrl[layout.FAILING_ITEM])
        if site == layout.SITE_MONITOR:
            return self._not_finite_recorded(self.plan.monitors[group], item, neuron, n)
        if site in (layout.SITE_SYNAPSE, layout.SITE_SYNAPSE_TRACE, layout.SITE_SYNAPSE_TARGET):
            s = next(s for s in self.plan.synapses if s.index == group)
            return self._not_finite_in_synapses(s, site, layout.SYNAPSE_CODE[item], neuron, n, run_start)
        p = self.plan.population(group)
        at = n + 1 if site == layout.SITE_UPDATE else n  # the update computes the state of the next step
        found = self._became(p, neuron, at, f"population {p.name!r}: ")
        if site in (layout.SITE_SUMMED, layout.SITE_EFFECT):
            return SimulationError(f"{found}, {self._written_by(p, neuron, summed=site == layout.SITE_SUMMED)}")
        if site in (layout.SITE_RESET, layout.SITE_REGULAR_OPERATION):
            statements = p.model.reset if site == layout.SITE_RESET else self.plan.regular_operations[item].statements
            what = "reset" if site == layout.SITE_RESET else "regular operation"
            code = "; ".join(f"{target} {operator} {expr}" for target, operator, expr in statements)
            return SimulationError(f"{found}, written by the {what} '{code}' from finite values: it is undefined or "
                                   "too large for them (such as a division by zero or the log of a negative number)")
        if n == run_start:
            loops = ""
            if site == layout.SITE_UPDATE and p.integrator.name == "exact":
                from ..language.integrators import loop_note  # sympy: only on this error's path

                loops = loop_note(p.model)
            return SimulationError(
                f"{found}, in the first step of the run, from finite values: an expression of model "
                f"{p.model.name!r} is undefined or too large for these parameter or state values (such as a division by zero "
                f"or the log or square root of a negative number); check them{loops}")
        steps = f"{n - run_start} step{'s' if n - run_start > 1 else ''}"
        return SimulationError(
            f"{found}, after {steps} with finite values: the model diverges for these parameter values, "
            "or the integrator is unstable at this dt (then use a smaller dt or another integrator)")

    def _became(self, p: PopulationPlan, neuron: int, at: int, prefix: str, variables: list[str] | None = None,
                whose: str = "") -> str:
        """"``prefix``variable x of neuron 3``whose`` became nan at t = ...": the first of ``variables`` (default:
        every row of population ``p``) that is not finite for ``neuron``, at step ``at``."""
        name, value = _first_not_finite(self.arrays[PopulationArrays(p).state], p.rows, neuron, variables)
        return f"{prefix}variable {name} of neuron {neuron}{whose} became {value} at t = {at * self.dt:.6g} s"

    def _written_by(self, p: PopulationPlan, neuron: int, summed: bool) -> str:
        """What made a summed variable, or a declared variable that projections and Poisson inputs add to, of
        ``neuron`` of ``p`` not finite."""
        from ..language.synapse_model import reference as synapse_reference  # sympy: only when a run fails

        state = self.arrays[PopulationArrays(p).state]
        bad = {var for var in p.rows if not np.isfinite(state[p.rows.index(var), neuron])}
        if summed:
            sums = [f"projection {s.name!r} ({name} = {equation.expr})" for s in self.plan.synapses
                    if s.target.index == p.index for name, equation in s.model.summed.items()
                    if synapse_reference(name)[1] in bad]
            return (f"summed by {', '.join(sums)}: the values summed are too large or not finite for these weights "
                    "and values")
        writers = [f"projection {r.name!r}" for r in self.plan.projections
                   if r.target.index == p.index and any(variable in bad for variable, _, _ in r.effects)]
        writers += [f"Poisson input {d.name!r}" for d in self.plan.poisson_inputs
                    if d.target.index == p.index and d.variable in bad]
        return f"made so by {', '.join(writers)} acting on it (the weights are too large or not finite)"

    def _not_finite_in_synapses(self, s: SynapsePlan, site: int, code: str, element: int, n: int,
                                run_start: int) -> SimulationError:
        """A value that ``code`` of projection ``s``'s synapse model made NaN or infinite: a variable of synapse
        ``element``, a trace kept per neuron (of neuron ``element``), or a neuron variable it wrote at synapse
        ``element``."""
        a = SynapseArrays(s)
        prefix = f"projection {s.name!r}: "
        at = n + 1 if code == "clock-driven" else n  # the clock-driven update computes the values of the next step
        if site == layout.SITE_SYNAPSE_TRACE:
            side = "pre" if code == "on_pre" else "post"
            name, value = _first_not_finite(self.arrays[a.pre_traces if side == "pre" else a.post_traces],
                                            s.rows(side), element)
            found = (f"{prefix}variable {name} of {side}synaptic neuron {element} (a trace kept per neuron) became "
                     f"{value} at t = {at * self.dt:.6g} s")
        else:
            pre, post = int(s.synapses.pre[element]), int(s.synapses.post[element])
            synapse = f"synapse {element} (i = {pre} → j = {post})"
            if site == layout.SITE_SYNAPSE_TARGET:
                found = self._synapse_target_became(s, code, pre, post, at, prefix) + f", at {synapse}"
            else:
                name, value = _first_not_finite(self.arrays[a.values], s.rows("synapse"), element)
                found = f"{prefix}variable {name} of {synapse} became {value} at t = {at * self.dt:.6g} s"
        if code != "clock-driven":
            statements = "; ".join(f"{target} {operator} {expr}" for target, operator, expr in s.model.pathways[code])
            return SimulationError(f"{found}, written by {code} '{statements}' from finite values: it is undefined "
                                   "or too large for them (such as a division by zero, the log of a negative number "
                                   "or a weight that grows without bound)")
        if n == run_start:
            return SimulationError(
                f"{found}, in the first step of the run, from finite values: an equation of synapse model "
                f"{s.model.name!r} is undefined or too large for these parameter or state values; check them")
        steps = f"{n - run_start} step{'s' if n - run_start > 1 else ''}"
        return SimulationError(f"{found}, after {steps} with finite values: the synapse model diverges for these "
                               "parameter values, or the integrator is unstable at this dt (then use a smaller dt "
                               "or another integrator)")

    def _synapse_target_became(self, s: SynapsePlan, code: str, pre: int, post: int, at: int, prefix: str) -> str:
        """Which neuron variable that ``code`` of ``s`` writes became NaN or infinite, of its presynaptic neuron
        ``pre`` or postsynaptic neuron ``post``."""
        from ..language.synapse_model import reference as synapse_reference  # sympy: only when a run fails

        written = {side: [base for target, _, _ in s.model.canonical_statements(code)
                          for target_side, base in [synapse_reference(target)]
                          if target_side == side and target not in s.model.units]
                   for side in ("pre", "post")}
        for side, neuron, plan in (("post", post, s.target), ("pre", pre, s.pre)):
            if plan is None or not written[side]:
                continue
            if _first_not_finite(self.arrays[PopulationArrays(plan).state], plan.rows, neuron, written[side])[0] != "?":
                return self._became(plan, neuron, at, prefix, written[side],
                                    f" of the {side}synaptic population {plan.name!r}")
        return f"{prefix}a neuron variable became nan at t = {at * self.dt:.6g} s"

    def _not_finite_recorded(self, monitor: MonitorPlan, column: int, neuron: int, n: int) -> SimulationError:
        """A recorded value that is NaN or infinite: a subexpression undefined for the values it reads, or a
        variable that a spike's effect (a projection, Poisson input or synapse model) made so."""
        p, name = self.plan.population(monitor.population), monitor.variables[column]
        value = self.arrays[MonitorArrays(monitor).buffer][int(self.arrays[MonitorArrays(monitor).filled][0]), column,
                                                           list(monitor.neurons).index(neuron)]
        found = f"population {p.name!r}: {{}} of neuron {neuron} is {value} at t = {n * self.dt:.6g} s (recorded)"
        if name not in p.model.subexpressions:
            return SimulationError(found.format(f"variable {name}") + ", made so by a projection, Poisson input or synapse "
                                   "model acting on it (the weights or summed values are too large or not finite)")
        arrays = PopulationArrays(p)
        read = sorted(s.name for s in p.model.subexpressions[name].free_symbols if s.name in p.values)
        values = ", ".join(f"{r} = {self._value_of(arrays, r, neuron):g}" for r in read)
        return SimulationError(found.format(f"subexpression {name} = {p.model.subexpressions[name]}")
                               + (f", where {values}" if values else "")
                               + "; a recorded value must be finite: write the subexpression so that it is for "
                                 "these values")

    def _value_of(self, arrays: PopulationArrays, name: str, neuron: int) -> float:
        """The current value of parameter or variable ``name`` of ``neuron`` (SI)."""
        array, index = arrays.location(name)
        values = self.arrays[array][index]
        return float(values if array == arrays.shared else values[neuron])


def _first_not_finite(array: np.ndarray, rows: list[str], column: int,
                      among: list[str] | None = None) -> tuple[str, float]:
    """The first variable of ``among`` (default: all ``rows``, the names of ``array``'s rows) that is NaN or
    infinite in ``column``, with its value; ``("?", nan)`` if none is."""
    for name in rows if among is None else among:
        value = array[rows.index(name), column]
        if not np.isfinite(value):
            return name, float(value)
    return "?", float("nan")


def _allocate(plan: KernelPlan, dt: float, seed: int, threads: int) -> dict[str, np.ndarray]:
    """Every array of the kernel of ``plan`` for ``threads`` threads, filled with the plan's initial data."""
    arrays = layout.shared_arrays(dt, seed)
    for p in plan.populations:
        arrays.update(PopulationArrays(p).allocate(p.values))
    for p in plan.sources:
        arrays.update(SourceArrays(p).allocate(p.spec, dt))
    for d in plan.drives:
        arrays.update(DriveArrays(d).allocate(d.drive, d.size, dt))
    for m in plan.monitors:
        arrays.update(MonitorArrays(m).allocate())
    for r in plan.projections:
        arrays.update(ProjectionArrays(r).allocate(r.synapses, r.source_size, r.target.size, threads))
    for d in plan.poisson_inputs:
        arrays.update(PoissonInputArrays(d).allocate())
    arrays.update({layout.timed_array_name(timed): timed.values for timed in plan.timed_arrays})
    for s in plan.synapses:
        arrays.update(SynapseArrays(s).allocate())
    return layout.in_single_precision(plan, arrays) if plan.precision == "single" else arrays


def _drive_name(plan: KernelPlan, d) -> str:
    population = plan.population(d.population)
    return f"{d.stimulus} on population {population.name!r} (variable {population.rows[d.row]!r})"


def _drive_unit(plan: KernelPlan, d) -> pint.Unit:
    population = plan.population(d.population)
    return population.model.units[population.rows[d.row]]


def _call_user_function(function, t: np.ndarray, i: np.ndarray, shape: tuple[int, int], unit: pint.Unit | str,
                        what: str) -> np.ndarray:
    """``function(t, i)`` (a user's callable) as finite SI floats of ``shape``; anything else is a SimulationError.

    A quantity it returns is converted to the SI unit of ``unit`` (a UnitError if its dimension differs);
    plain numbers are taken as SI values already (amperes for a current, Hz for a rate).
    """
    try:
        values = np.asarray(_in_si(function(t, i), unit, what), dtype=float)
    except SnnzooError:
        raise
    except Exception as error:  # the user's code may raise anything
        raise SimulationError(f"{what}: the function raised {type(error).__name__}: {error}") from None
    try:
        values = np.ascontiguousarray(np.broadcast_to(values, shape))
    except ValueError:
        raise SimulationError(f"{what}: the function returned shape {values.shape} for times of shape {t.shape} "
                              f"and neurons of shape {i.shape}; expected a shape that broadcasts to {shape}") from None
    if not np.isfinite(values).all():
        raise SimulationError(f"{what}: the function gave NaN or infinite values")
    return values


def _in_si(returned, unit: pint.Unit | str, what: str):
    """A function's returned value in SI units of ``unit`` if it is a quantity, else as it is."""
    if not isinstance(returned, pint.Quantity):
        return returned
    quantity = as_quantity(returned, what=what)
    if quantity.dimensionality != ureg.Quantity(1.0, unit).dimensionality:
        raise UnitError(f"{what}: the function returned a quantity in {quantity.units:~} "
                        f"({dimension_of(quantity.units)}); expected {dimension_of(unit)}, or plain numbers "
                        f"in {si_unit_string(unit)}")
    return quantity.to_base_units().magnitude


class _NoProgressBar:
    """The bar of a run that shows none (without importing tqdm for it)."""

    def update(self, seconds: float) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total_seconds: float, enabled: bool):
    if not enabled:
        return _NoProgressBar()
    from tqdm import tqdm

    return tqdm(total=total_seconds, unit="s sim", leave=False,
                bar_format="{l_bar}{bar}| {n:.3g}/{total:.3g} s simulated [{elapsed}<{remaining}, {rate_fmt}]")


def _multiples_between(n0: int, n1: int, every: int) -> int:
    """How many multiples of ``every`` lie in [n0, n1)."""
    return (n1 - 1) // every - (n0 - 1) // every if n1 > n0 else 0


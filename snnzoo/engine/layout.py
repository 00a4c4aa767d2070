"""The kernel's arrays: their names, shapes and dtypes, and the control slots.

This module is the one place that spells them. The code generator prints the
names into the kernel's source and the simulation driver allocates, fills and
reads the arrays under the same names, both through the classes here: one per
plan object (a spiking group, a drive, a monitor, a projection), each naming
its arrays and allocating them with the right shapes and dtypes.

``ctrl`` (int64) carries the step range of a call in and the outcome out:
``ctrl[START]`` and ``ctrl[END]`` are the first step and one past the last;
the kernel sets ``ctrl[STATUS]`` (a ``STATUS_*`` code), ``ctrl[REACHED]`` (the
first step not simulated) and, when a value becomes NaN or infinite,
``ctrl[FAILING_GROUP]``, ``ctrl[FAILING_NEURON]`` and where it was found, ``ctrl[FAILING_SITE]`` (a
``SITE_*`` code) with ``ctrl[FAILING_ITEM]`` (the regular operation, or the monitor's column: then
``FAILING_GROUP`` is the monitor). ``ctrl[THREADS]`` is the number of threads the driver runs the kernel with.
"""

from __future__ import annotations

import numpy as np

from ..time_steps import first_step_from, step_containing
from .plan import (
    DrivePlan,
    KernelPlan,
    MonitorPlan,
    PoissonInputPlan,
    PopulationPlan,
    ProjectionPlan,
    SourcePlan,
    SynapseMonitorPlan,
    SynapsePlan,
)
from .runtime import row_block_bounds, seed_key

START, END, STATUS, REACHED, FAILING_GROUP, FAILING_NEURON, THREADS, FAILING_SITE, FAILING_ITEM = range(9)
CTRL_SLOTS = 9
STATUS_DONE, STATUS_BUFFER_FULL, STATUS_NOT_FINITE = 0, 1, 2
(SITE_UPDATE, SITE_RESET, SITE_REGULAR_OPERATION, SITE_MONITOR, SITE_SYNAPSE, SITE_SYNAPSE_TRACE, SITE_SYNAPSE_TARGET,
 SITE_SUMMED, SITE_EFFECT) = range(9)
"""Where a value was found NaN or infinite: the state update, the reset, a regular operation, a monitor (then
``FAILING_GROUP`` is the monitor); a synapse model's variable of synapse ``FAILING_NEURON``, its trace kept per
neuron (of neuron ``FAILING_NEURON``), or a neuron variable it wrote at synapse ``FAILING_NEURON`` (for these three
``FAILING_GROUP`` is the projection's synapse plan and ``FAILING_ITEM`` the code, an index of ``SYNAPSE_CODE``); a
summed variable, or a declared variable a projection or Poisson input wrote (of population ``FAILING_GROUP``)."""

SYNAPSE_CODE = ("on_pre", "on_post", "clock-driven")
"""The code of a synapse model that ``FAILING_ITEM`` names at the ``SITE_SYNAPSE*`` sites."""

CTRL, CLOCK, RNG = "ctrl", "clock", "rng"
"""Control slots, ``clock[0]`` = dt in seconds, and the seed's key (see :mod:`snnzoo.engine.runtime`)."""

DRAWS = "draws"
"""The kernel-local uint64[1] stream that random draws take their numbers from (one per thread)."""

PARALLEL_MIN_SIZE = 2048
"""Loops over fewer neurons (or synapse targets) than this stay serial: a parallel loop
costs microseconds to start, more than such a loop takes."""


def shared_loop(size: int, threads: int) -> bool:
    """Whether a kernel for ``threads`` threads shares a loop over ``size`` neurons among them."""
    return threads > 1 and size >= PARALLEL_MIN_SIZE


NEVER = -(2**31)
"""The last-spike step of a neuron that never spiked: int32's lowest value (last-spike steps are
int32 in single precision), long enough ago for any refractory period below 2**31 steps."""


def stop_not_finite(group: int | str, element: str, site: int, item: int | str = 0) -> list[str]:
    """Kernel statements that stop the run at step ``n``, reporting a value that is not finite: at ``site`` (a
    ``SITE_*`` code), in ``group``, at ``element`` (code of a neuron or synapse index), ``item`` as that site has it."""
    return [f"{CTRL}[{STATUS}] = {STATUS_NOT_FINITE}", f"{CTRL}[{REACHED}] = n", f"{CTRL}[{FAILING_GROUP}] = {group}",
            f"{CTRL}[{FAILING_NEURON}] = {element}", f"{CTRL}[{FAILING_SITE}] = {site}",
            f"{CTRL}[{FAILING_ITEM}] = {item}", "return"]


def _floats(*shape: int) -> np.ndarray:
    return np.zeros(shape)


def shared_arrays(dt: float, seed: int) -> dict[str, np.ndarray]:
    """``ctrl``, ``clock`` and ``rng``, which every kernel takes first."""
    return {CTRL: np.zeros(CTRL_SLOTS, dtype=np.int64), CLOCK: np.array([dt]), RNG: seed_key(seed)}


class GroupArrays:
    """The spike bookkeeping of spiking group ``k`` (a population or a source)."""

    def __init__(self, k: int):
        self.last_spike = f"L{k}"
        """int64[N] (int32 in single precision): the step of each neuron's last spike (``NEVER`` if none)."""
        self.spike_counts = f"C{k}"
        """int64[N]: spikes per neuron since the start."""
        self.spike_steps = f"SS{k}"
        """int64[capacity]: the step of each buffered spike."""
        self.spike_neurons = f"SI{k}"
        """int32[capacity]: the neuron of each buffered spike."""
        self.buffered = f"SN{k}"
        """int64[1]: how many spikes are buffered (drained by the driver)."""
        self.spiking = f"SP{k}"
        """int32[N]: the neurons that spiked in the current step (the first ``ns<k>``)."""

    def names(self) -> list[str]:
        """The arrays' names, in the kernel's argument order."""
        return [self.last_spike, self.spike_counts, self.spike_steps, self.spike_neurons, self.buffered,
                self.spiking]

    def allocate(self, size: int) -> dict[str, np.ndarray]:
        """The arrays for ``size`` neurons, none of which has spiked."""
        capacity = max(4 * size, 1 << 16)
        return {self.last_spike: np.full(size, NEVER, dtype=np.int64),
                self.spike_counts: np.zeros(size, dtype=np.int64),
                self.spike_steps: np.zeros(capacity, dtype=np.int64),
                self.spike_neurons: np.zeros(capacity, dtype=np.int32),
                self.buffered: np.zeros(1, dtype=np.int64),
                self.spiking: np.zeros(size, dtype=np.int32)}


def state_array(k: int) -> str:
    """The name of population ``k``'s state array (also read by populations linked to it)."""
    return f"S{k}"


class PopulationArrays(GroupArrays):
    """A population's state, parameters and per-step scratch, besides its spikes."""

    def __init__(self, plan: PopulationPlan):
        super().__init__(plan.index)
        k = plan.index
        self.plan = plan
        self.state = state_array(k)
        """float64[rows, N]: state variables then input variables (``plan.rows``)."""
        self.shared = f"P{k}"
        """float64[homogeneous]: parameters with one value for all neurons."""
        self.per_neuron = f"H{k}"
        """float64[heterogeneous, N]: parameters with a value per neuron."""
        self.flags = f"F{k}"
        """bool[N rounded up to a multiple of 8]: whether each neuron crossed the threshold in this
        step (the padding stays False, so the array reads as whole uint64 words of 8 flags)."""
        self.normals = f"Z{k}"
        """float64[noises, N]: this step's standard normal draws of the model's white noises."""
        self.refractory_steps = f"RF{k}"
        """int64[N], refractory kind "per_neuron": each neuron's refractory period in steps."""

    def names(self) -> list[str]:
        """The arrays' names, in the kernel's argument order."""
        per_neuron = [self.refractory_steps] if self.plan.refractory_kind == "per_neuron" else []
        return super().names() + [self.state, self.shared, self.per_neuron, self.flags, self.normals, *per_neuron]

    def allocate(self, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The arrays, filled from ``values`` (name -> one value per neuron)."""
        p, size = self.plan, self.plan.size
        return {**super().allocate(size),
                self.state: np.array([values[r] for r in p.rows]).reshape(len(p.rows), size),
                self.shared: np.array([values[h][0] for h in p.homogeneous], dtype=float),
                self.per_neuron: np.array([values[h] for h in p.heterogeneous]).reshape(len(p.heterogeneous), size),
                self.flags: np.zeros(-(-size // 8) * 8, dtype=np.bool_),
                self.normals: _floats(len(p.model.noise_names), size),
                **({self.refractory_steps: p.refractory_steps} if p.refractory_kind == "per_neuron" else {})}

    def location(self, name: str) -> tuple[str, tuple]:
        """The array and index holding parameter or variable ``name`` (all neurons)."""
        p = self.plan
        if name in p.rows:
            return self.state, (p.rows.index(name),)
        if name in p.heterogeneous:
            return self.per_neuron, (p.heterogeneous.index(name),)
        return self.shared, (p.homogeneous.index(name),)


class SourceArrays(GroupArrays):
    """A spike source: given spike times (sorted by step) or Poisson rates."""

    def __init__(self, plan: SourcePlan):
        super().__init__(plan.index)
        k = plan.index
        self.plan = plan
        self.times = f"G{k}T"
        """int64[spikes]: the step of each given spike, sorted."""
        self.indices = f"G{k}I"
        """int32[spikes]: the neuron of each given spike."""
        self.position = f"G{k}P"
        """int64[1]: the next given spike to emit."""
        self.rates = f"G{k}R"
        """float64[1 or steps of a chunk, N]: Poisson rates in Hz (constant, or a row per step)."""

    def names(self) -> list[str]:
        """The arrays' names, in the kernel's argument order."""
        if self.plan.kind == "times":
            return super().names() + [self.times, self.indices, self.position]
        return super().names() + [self.rates]

    def allocate(self, spec, dt: float) -> dict[str, np.ndarray]:
        """The arrays, from the source's spec (spike ``times`` and ``indices``, or ``rates``)."""
        p = self.plan
        arrays = super().allocate(p.size)
        if p.kind == "times":
            steps = step_containing(spec.times, dt)
            order = np.argsort(steps, kind="stable")
            arrays.update({self.times: steps[order], self.indices: np.asarray(spec.indices, dtype=np.int32)[order],
                           self.position: np.zeros(1, dtype=np.int64)})
        elif p.rate_kind == "constant":
            arrays[self.rates] = np.broadcast_to(np.asarray(spec.rates, dtype=float), (1, p.size)).copy()
        else:
            arrays[self.rates] = _floats(1, p.size)
        return arrays


def group_arrays(plan: PopulationPlan | SourcePlan) -> PopulationArrays | SourceArrays:
    """The arrays of a population or a source."""
    return PopulationArrays(plan) if isinstance(plan, PopulationPlan) else SourceArrays(plan)


class DriveArrays:
    """An input drive's arrays; which exist depends on ``plan.kind``."""

    _ARRAYS = {"piecewise": ("switch_steps", "segment_values", "segment"), "buffered": ("buffer",),
               "gaussian": ("mean", "spread"), "ou": ("mean", "spread", "tau", "process")}

    def __init__(self, plan: DrivePlan):
        d = plan.index
        self.plan = plan
        self.switch_steps = f"D{d}T"
        """piecewise, int64[segments]: the step at which each segment starts."""
        self.segment_values = f"D{d}V"
        """piecewise, float64[segments, 1 or N]: the value of each segment."""
        self.segment = f"D{d}G"
        """piecewise, int64[1]: the current segment (-1 before the first)."""
        self.buffer = f"D{d}B"
        """buffered, float64[steps of a chunk, 1 or N]: a value per step, filled for each chunk."""
        self.mean = f"D{d}M"
        """gaussian and ou, float64[1 or N]: the mean."""
        self.spread = f"D{d}S"
        """gaussian and ou, float64[1 or N]: the standard deviation (``std`` or ``sigma``)."""
        self.tau = f"D{d}T"
        """ou, float64[1]: the time constant in seconds."""
        self.process = f"D{d}X"
        """ou, float64[1 or N]: the process's current value."""

    def names(self) -> list[str]:
        """The arrays' names, in the kernel's argument order."""
        return [getattr(self, attribute) for attribute in self._ARRAYS[self.plan.kind]]

    def allocate(self, drive, size: int, dt: float) -> dict[str, np.ndarray]:
        """The arrays of ``drive`` (a :mod:`snnzoo.language.stimulus` drive) for a population of ``size``."""
        kind = self.plan.kind
        width = size if self.plan.per_neuron else 1

        def spread(value) -> np.ndarray:
            return np.broadcast_to(np.asarray(value, dtype=float), (width,)).copy()

        if kind == "piecewise":
            return {self.switch_steps: first_step_from(drive.times, dt),
                    self.segment_values: np.ascontiguousarray(drive.values, dtype=float),
                    self.segment: np.array([-1], dtype=np.int64)}
        if kind == "buffered":
            return {self.buffer: _floats(1, width)}
        if kind == "gaussian":
            return {self.mean: spread(drive.mean), self.spread: spread(drive.std)}
        mean = spread(drive.mean)
        return {self.mean: mean, self.spread: spread(drive.sigma), self.tau: np.array([drive.tau]),
                self.process: mean.copy()}

    def chunk_buffer(self, values: np.ndarray, steps: int) -> np.ndarray:
        """A buffered drive's array for a chunk of ``steps`` from the function's ``values``."""
        width = self.plan.size if self.plan.per_neuron else 1
        return np.ascontiguousarray(np.broadcast_to(values, (steps, width)), dtype=float)


class MonitorArrays:
    """A monitor's sample buffer, the neurons it records and how many samples are buffered."""

    def __init__(self, plan: MonitorPlan):
        m = plan.index
        self.plan = plan
        self.buffer = f"M{m}B"
        """float64[samples of a chunk, variables, neurons]."""
        self.neurons = f"M{m}I"
        """int64[neurons]: the recorded neurons."""
        self.filled = f"M{m}C"
        """int64[1]: how many samples are buffered (drained by the driver)."""

    def names(self) -> list[str]:
        """The arrays' names, in the kernel's argument order."""
        return [self.buffer, self.neurons, self.filled]

    def allocate(self) -> dict[str, np.ndarray]:
        """The arrays, with an empty sample buffer (sized for each chunk by the driver)."""
        p = self.plan
        return {self.buffer: self.sample_buffer(0), self.neurons: p.neurons,
                self.filled: np.zeros(1, dtype=np.int64)}

    def sample_buffer(self, samples: int) -> np.ndarray:
        """An empty buffer for ``samples`` samples."""
        return _floats(samples, len(self.plan.variables), self.plan.neurons.size)


class ProjectionArrays:
    """A projection's synapses (CSR by presynaptic neuron, each row sorted by target) and its delay queue.

    With one delay for all synapses a ring of ``delay + 1`` slots holds the
    presynaptic neurons that spiked at each step; with per-synapse delays a
    ring of accumulators holds the summed weights due at each step.
    """

    def __init__(self, plan: ProjectionPlan):
        q = plan.index
        self.plan = plan
        self.row_starts = f"R{q}P"
        """int64[pre + 1]: CSR row pointers over the source population."""
        self.targets = f"R{q}J"
        """int32[synapses]: the postsynaptic neuron of each synapse."""
        self.weights = f"R{q}W"
        """float64[1 or synapses]: the weights (SI units of the target)."""
        self.delays = f"R{q}D"
        """per-synapse delays, int64[synapses]: each synapse's delay in steps."""
        self.due = f"R{q}A"
        """per-synapse delays, float64[max delay + 1, post]: weights due at each step of the ring."""
        self.queue = f"R{q}Q"
        """one delay, int32[delay + 1, pre]: the neurons that spiked at each step of the ring."""
        self.queued = f"R{q}N"
        """one delay, int64[delay + 1]: how many neurons each ring slot holds."""
        self.block_bounds = f"R{q}B"
        """delivery shared among T threads, int64[pre, T + 1]: where each row's synapses onto each
        thread's block of targets begin (column T: the row's end), found once before the run
        instead of in every step."""

    def names(self, threads: int = 1) -> list[str]:
        """The arrays' names, in the argument order of the kernel for ``threads`` threads."""
        ring = [self.delays, self.due] if self.plan.delay < 0 else [self.queue, self.queued]
        shared = [self.block_bounds] if shared_loop(self.plan.target.size, threads) else []
        return [self.row_starts, self.targets, self.weights, *ring, *shared]

    def allocate(self, synapses, source_size: int, target_size: int, threads: int = 1) -> dict[str, np.ndarray]:
        """The arrays of ``synapses`` (a :class:`snnzoo.network.connectivity.Synapses`), each row sorted by
        target, for the kernel for ``threads`` threads."""
        order = _row_order(synapses.indptr, synapses.post)

        def sorted_rows(values: np.ndarray) -> np.ndarray:
            return values if order is None or values.size == 1 else values[order]

        arrays = {self.row_starts: synapses.indptr, self.targets: sorted_rows(synapses.post),
                  self.weights: sorted_rows(synapses.weights)}
        if self.plan.delay < 0:
            arrays[self.delays] = sorted_rows(synapses.delays)
            arrays[self.due] = _floats(int(synapses.delays.max()) + 1, target_size)
        else:
            arrays[self.queue] = np.zeros((self.plan.delay + 1, source_size), dtype=np.int32)
            arrays[self.queued] = np.zeros(self.plan.delay + 1, dtype=np.int64)
        if self.block_bounds in self.names(threads):
            arrays[self.block_bounds] = row_block_bounds(arrays[self.targets], arrays[self.row_starts],
                                                         target_size, threads)
        return arrays


class SynapseArrays:
    """A projection with a synapse model: its synapses, their variables, per-neuron traces and spike queues.

    Synapses are in CSR order by presynaptic neuron (rows sorted by delay); an
    ``on_post`` pathway adds an index by postsynaptic neuron.
    """

    def __init__(self, plan: SynapsePlan):
        q = plan.index
        self.plan = plan
        self.row_starts = f"Y{q}P"
        """int64[pre + 1]: CSR row pointers over the source population."""
        self.targets = f"Y{q}J"
        """int32[synapses]: the postsynaptic neuron of each synapse."""
        self.values = f"Y{q}V"
        """float64[rows, synapses]: the variables (and parameters) kept per synapse (``plan.rows("synapse")``)."""
        self.shared = f"Y{q}K"
        """float64[shared]: parameters with one value (``plan.rows("shared")``)."""
        self.pre_traces = f"Y{q}A"
        """float64[rows, pre]: event-driven traces kept per presynaptic neuron (``plan.rows("pre")``)."""
        self.pre_updated = f"Y{q}a"
        """int64[pre or 0]: the step of each presynaptic neuron's last event, to which its traces were advanced."""
        self.post_traces = f"Y{q}B"
        """float64[rows, post]: event-driven traces kept per postsynaptic neuron (``plan.rows("post")``)."""
        self.post_updated = f"Y{q}b"
        """int64[post or 0]: the step of each postsynaptic neuron's last event, to which its traces were advanced."""
        self.updated = f"Y{q}L"
        """int64[synapses or 0]: the step of each synapse's last event (per-synapse event-driven variables)."""
        self.queue = f"Y{q}Q"
        """int32[max delay + 1, pre]: the presynaptic neurons that spiked at each step of the ring."""
        self.queued = f"Y{q}N"
        """int64[max delay + 1]: how many neurons each ring slot holds."""
        self.delays = f"Y{q}D"
        """per-synapse delays, int32[synapses]: each synapse's delay in steps (sorted within a row)."""
        self.post_row_starts = f"Y{q}R"
        """on_post, int64[post + 1]: row pointers of the index by postsynaptic neuron."""
        self.by_post = f"Y{q}S"
        """on_post, int32[synapses]: synapse numbers sorted by postsynaptic neuron."""
        self.sources = f"Y{q}I"
        """on_post, int32[synapses]: the presynaptic neuron of each synapse."""
        self.post_queue = f"Y{q}O"
        """on_post with a postsynaptic delay, int32[delay + 1, post]: postsynaptic spikes of each step of the ring."""
        self.post_queued = f"Y{q}M"
        """on_post with a postsynaptic delay, int64[delay + 1]: how many spikes each ring slot holds."""
        self.summed_neurons = f"Y{q}U"
        """summed variables into a slice of the target, int32[neurons]: the neurons of the slice."""

    def names(self) -> list[str]:
        """The arrays' names, in the kernel's argument order (synapse monitors last)."""
        p = self.plan
        names = [self.row_starts, self.targets, self.values, self.shared, self.pre_traces, self.pre_updated,
                 self.post_traces, self.post_updated, self.updated, self.queue, self.queued]
        if p.delay < 0:
            names.append(self.delays)
        if p.model.pathways["on_post"]:
            names += [self.post_row_starts, self.by_post, self.sources]
            if p.post_delay > 0:
                names += [self.post_queue, self.post_queued]
        if p.summed_neurons is not None:
            names.append(self.summed_neurons)
        for m in p.monitors:
            names += SynapseMonitorArrays(m).names()
        return names

    def allocate(self) -> dict[str, np.ndarray]:
        """The arrays, filled from the plan's synapses and initial values."""
        p, syn = self.plan, self.plan.synapses
        n, n_pre, n_post = syn.post.size, p.source_size, p.target.size

        def rows(kind: str, width: int) -> np.ndarray:
            names = p.rows(kind)
            per_neuron = kind != "synapse"
            return np.array([np.full(width, p.values[v][0]) if per_neuron else np.broadcast_to(p.values[v], (width,))
                             for v in names], dtype=float).reshape(len(names), width)

        arrays = {
            self.row_starts: syn.indptr, self.targets: syn.post, self.values: rows("synapse", n),
            self.shared: np.array([p.values[v][0] for v in p.rows("shared")], dtype=float),
            self.pre_traces: rows("pre", n_pre),
            self.pre_updated: np.zeros(n_pre if p.keeps_last_event("pre") else 0, dtype=np.int64),
            self.post_traces: rows("post", n_post),
            self.post_updated: np.zeros(n_post if p.keeps_last_event("post") else 0, dtype=np.int64),
            self.updated: np.zeros(n if p.per_synapse_events else 0, dtype=np.int64),
            self.queue: np.zeros((p.max_delay + 1, n_pre), dtype=np.int32),
            self.queued: np.zeros(p.max_delay + 1, dtype=np.int64),
        }
        if p.delay < 0:
            arrays[self.delays] = syn.delays
        if p.model.pathways["on_post"]:
            arrays[self.post_row_starts] = np.concatenate([[0], np.cumsum(np.bincount(syn.post, minlength=n_post))])
            arrays[self.by_post] = np.argsort(syn.post, kind="stable").astype(np.int32)
            arrays[self.sources] = syn.pre
            if p.post_delay > 0:
                arrays[self.post_queue] = np.zeros((p.post_delay + 1, n_post), dtype=np.int32)
                arrays[self.post_queued] = np.zeros(p.post_delay + 1, dtype=np.int64)
        if p.summed_neurons is not None:
            arrays[self.summed_neurons] = p.summed_neurons
        for m in p.monitors:
            arrays.update(SynapseMonitorArrays(m).allocate())
        return arrays


class SynapseMonitorArrays:
    """A synapse monitor's sample buffer, the synapses it records and how many samples are buffered."""

    def __init__(self, plan: SynapseMonitorPlan):
        m = plan.index
        self.plan = plan
        self.buffer = f"X{m}B"
        """float64[samples of a chunk, variables, synapses]."""
        self.synapses = f"X{m}I"
        """int64[synapses]: the recorded synapses."""
        self.filled = f"X{m}C"
        """int64[1]: how many samples are buffered (drained by the driver)."""

    def names(self) -> list[str]:
        """The arrays' names, in the kernel's argument order."""
        return [self.buffer, self.synapses, self.filled]

    def allocate(self) -> dict[str, np.ndarray]:
        """The arrays, with an empty sample buffer (sized for each chunk by the driver)."""
        return {self.buffer: self.sample_buffer(0), self.synapses: self.plan.synapses,
                self.filled: np.zeros(1, dtype=np.int64)}

    def sample_buffer(self, samples: int) -> np.ndarray:
        """An empty buffer for ``samples`` samples."""
        return _floats(samples, len(self.plan.variables), self.plan.synapses.size)


class PoissonInputArrays:
    """A Poisson input's constants: ``PI<q>`` = (N, p, 1 - p, sqrt(N p (1 - p)), weight)."""

    def __init__(self, plan: PoissonInputPlan):
        self.plan = plan
        self.constants = f"PI{plan.index}"
        """float64[5]: the binomial's N, p, 1 - p and standard deviation, and the weight."""

    def names(self) -> list[str]:
        """The arrays' names, in the kernel's argument order."""
        return [self.constants]

    def allocate(self) -> dict[str, np.ndarray]:
        """The constants of the plan."""
        n, p = self.plan.count, self.plan.probability
        return {self.constants: np.array([n, p, 1.0 - p, np.sqrt(n * p * (1.0 - p)), self.plan.weight])}


def timed_array_name(timed) -> str:
    """The kernel array of a :class:`~snnzoo.language.timed_array.TimedArray`: float64[steps, columns]."""
    return f"TA_{timed.name}"


def _row_order(indptr: np.ndarray, post: np.ndarray) -> np.ndarray | None:
    """The permutation sorting each CSR row by target, keeping the order of synapses onto the
    same target (so each target sums its inputs in the same order); None if already sorted."""
    falls = np.flatnonzero(post[1:] < post[:-1]) + 1  # where a smaller target follows
    if np.isin(falls, indptr).all():  # only where a new row starts
        return None
    return np.lexsort((post, np.repeat(np.arange(indptr.size - 1), np.diff(indptr))))


def float_arrays(plan: KernelPlan) -> list[str]:
    """The arrays that hold floats in the plan's precision (float32 in single precision; the others
    stay float64 whatever the precision, see :mod:`snnzoo.engine.precision`)."""
    names = []
    for p in plan.populations:
        a = PopulationArrays(p)
        names += [a.state, a.shared, a.per_neuron, a.normals]
    for d in plan.drives:
        a = DriveArrays(d)
        integers = {a.switch_steps, a.segment} if d.kind == "piecewise" else set()
        names += [name for name in a.names() if name not in integers]
    names += [MonitorArrays(m).buffer for m in plan.monitors]
    for r in plan.projections:
        a = ProjectionArrays(r)
        names += [a.weights] + ([a.due] if r.delay < 0 else [])
    names += [timed_array_name(timed) for timed in plan.timed_arrays]
    return names


def in_single_precision(plan: KernelPlan, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The arrays of a single-precision kernel: those of :func:`float_arrays` in float32 and the
    last-spike steps in int32, so that the update loop (refractory test included) is as narrow as
    its float32 maths and vectorises 16 wide (single-precision runs are limited to 2**31 - 1 steps)."""
    narrowed = {name: arrays[name].astype(np.float32) for name in float_arrays(plan)}
    narrowed.update({group_arrays(p).last_spike: arrays[group_arrays(p).last_spike].astype(np.int32)
                     for p in plan.spikers})
    return {**arrays, **narrowed}


def dynamic_state(plan: KernelPlan) -> list[str]:
    """The arrays that change while the kernel runs, besides the populations' state (which
    populations read back): last spikes and spike counts, the positions
    of spike sources and piecewise drives, Ornstein-Uhlenbeck processes, the delay rings, and the
    synapses of synapse models (their variables, traces and last updates, spike queues).
    A kernel rebuilt between runs takes them over so that the simulation continues."""
    names = []
    for p in plan.spikers:
        a = group_arrays(p)
        names += [a.last_spike, a.spike_counts]
        if isinstance(a, SourceArrays) and p.kind == "times":
            names.append(a.position)
    for d in plan.drives:
        a = DriveArrays(d)
        names += [a.segment] if d.kind == "piecewise" else [a.process] if d.kind == "ou" else []
    for r in plan.projections:
        a = ProjectionArrays(r)
        names += [a.due] if r.delay < 0 else [a.queue, a.queued]
    for s in plan.synapses:
        a = SynapseArrays(s)
        dynamic = [a.values, a.pre_traces, a.pre_updated, a.post_traces, a.post_updated, a.updated, a.queue,
                   a.queued, a.post_queue, a.post_queued]
        names += [name for name in dynamic if name in a.names()]
    return names


def arguments(plan: KernelPlan, threads: int = 1) -> list[str]:
    """The argument names of the kernel for ``threads`` threads, in call order."""
    names = [CTRL, CLOCK, RNG]
    for p in plan.spikers:
        names += group_arrays(p).names()
    for d in plan.drives:
        names += DriveArrays(d).names()
    for m in plan.monitors:
        names += MonitorArrays(m).names()
    for r in plan.projections:
        names += ProjectionArrays(r).names(threads)
    for d in plan.poisson_inputs:
        names += PoissonInputArrays(d).names()
    names += [timed_array_name(timed) for timed in plan.timed_arrays]
    for s in plan.synapses:
        names += SynapseArrays(s).names()
    return names

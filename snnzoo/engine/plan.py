"""What the engine simulates: the plan a network hands it.

A :class:`KernelPlan` lists the populations, spike sources, drives, monitors
and projections (stateless, or running a synapse model) of one simulation in kernel order, with the data each needs
(initial values, spike times, synapses...). The code generator reads the
structure; the simulation driver also reads the data to fill the arrays.
Populations and sources share one numbering (their group index).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..language.model import NeuronModel

if TYPE_CHECKING:
    import sympy


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
    values: dict[str, np.ndarray]
    """Initial values of parameters and variables, one per neuron (SI)."""
    links: dict[str, tuple[int, int, bool]] = field(default_factory=dict)
    """Linked variable -> (source population, source row, one value per neuron?)."""
    refractory_kind: str = "steps"
    """"steps" (``ref_steps`` for every neuron), "per_neuron" (``refractory_steps``) or
    "condition" (refractory after a spike until ``refractory_condition`` is false)."""
    refractory_steps: np.ndarray | None = None
    """int64[N]: each neuron's refractory period in steps (kind "per_neuron")."""
    refractory_condition: sympy.Basic | None = None
    refractory_period: sympy.Basic | None = None
    """A period (kind "per_neuron") that reads declared variables, which the run may change (a reset writing
    ``tref``): evaluated again in every step, as Brian2 evaluates it, into ``refractory_steps``."""


@dataclass
class SourcePlan:
    """A spike source: ``kind`` "times" (given spike times) or "poisson" (rates).

    Poisson rates are "constant" (one per neuron) or "buffered" (a row per step,
    filled by Python for each chunk). ``spec`` is the source's
    :class:`~snnzoo.language.stimulus.SpikeTimes` or :class:`~snnzoo.language.stimulus.PoissonRates`.
    """

    index: int
    name: str
    size: int
    kind: str
    spec: Any
    rate_kind: str = "constant"


@dataclass
class ProjectionPlan:
    """Spikes of population ``source`` act on population ``target`` (a PopulationPlan).

    ``effects`` are ``(variable, op, coefficient)``: each spike does
    ``variable op coefficient * w`` on the postsynaptic neuron, the coefficient
    an expression of the target's parameters (the number 1 for a plain ``ge += w``).
    ``delay`` is a constant delay in steps, or -1 for per-synapse delays.
    ``per_synapse_weight`` tells whether there is one weight per synapse.
    ``synapses`` is the :class:`~snnzoo.network.connectivity.Synapses` (CSR over the
    ``source_size`` neurons of the source). ``name`` is the projection's, for messages.
    """

    index: int
    name: str
    source: int
    target: PopulationPlan
    effects: list[tuple[str, str, sympy.Basic | int]]
    delay: int
    per_synapse_weight: bool
    synapses: Any
    source_size: int


@dataclass
class DrivePlan:
    """An input written into variable ``row`` of a population at the start of each step.

    ``kind`` is "piecewise" (values switch at given steps), "buffered" (a
    value per step, filled by Python for each chunk), "gaussian" (mean + std *
    N(0, 1) drawn every step) or "ou" (an Ornstein-Uhlenbeck process).
    ``per_neuron`` tells whether values (and noise) differ across neurons;
    ``drive`` is the :mod:`snnzoo.language.stimulus` drive and ``size`` the population's size;
    ``stimulus`` names the stimulus it comes from, for messages.
    """

    index: int
    population: int
    row: int
    kind: str
    per_neuron: bool
    drive: Any
    size: int
    stimulus: str


@dataclass
class PoissonInputPlan:
    """``count`` Poisson inputs firing with probability ``probability`` per step, each adding
    ``weight`` (SI) to ``variable`` of every neuron of ``target``: one Binomial draw per neuron.
    ``name`` is the input's, for messages."""

    index: int
    name: str
    target: PopulationPlan
    variable: str
    count: int
    probability: float
    weight: float


@dataclass
class RegularOperationPlan:
    """``statements`` (target, op, expression) run on every neuron of ``target`` every ``every`` steps."""

    index: int
    target: PopulationPlan
    statements: list[tuple[str, str, sympy.Basic]]
    every: int


@dataclass
class MonitorPlan:
    """Monitor ``name`` samples ``variables`` of ``neurons`` of a population every ``every`` steps."""

    index: int
    name: str
    population: int
    variables: list[str]
    every: int
    neurons: np.ndarray


@dataclass
class SynapseMonitorPlan:
    """Monitor ``name`` samples ``variables`` of ``synapses`` of a projection every ``every`` steps."""

    index: int
    name: str
    variables: list[str]
    every: int
    synapses: np.ndarray


@dataclass
class SynapsePlan:
    """A projection that runs a synapse model (see :mod:`snnzoo.engine.synapses_codegen`).

    ``storage`` says where each state variable and parameter lives: "synapse"
    (one value per synapse), "pre" / "post" (an event-driven trace kept once per
    pre- or postsynaptic neuron) or "shared" (one parameter value). ``values``
    holds the initial values (one or one per synapse, SI); ``synapses`` is the
    :class:`~snnzoo.network.connectivity.Synapses` (CSR over the ``source_size`` neurons
    of the source, rows sorted by delay). ``name`` is the projection's, for messages.
    """

    index: int
    name: str
    source: int
    pre: PopulationPlan | None
    """The presynaptic population (None for a spike source)."""
    target: PopulationPlan
    bound: Any
    """The :class:`~snnzoo.language.synapse_model.BoundSynapse`."""
    storage: dict[str, str]
    delay: int
    """The presynaptic delay in steps, or -1 for per-synapse delays."""
    max_delay: int
    post_delay: int
    integrator: Any
    """The integrator of the clock-driven equations."""
    synapses: Any
    source_size: int
    values: dict[str, np.ndarray]
    monitors: list[SynapseMonitorPlan] = field(default_factory=list)
    summed_neurons: np.ndarray | None = None
    """The target neurons the projection's summed variables set, when it was made onto a slice of the
    target (None: every neuron); the others keep their values, as in Brian2."""

    @property
    def model(self):
        """The synapse model."""
        return self.bound.model

    def rows(self, kind: str) -> list[str]:
        """The variables stored as ``kind``, in row order."""
        return [name for name, where in self.storage.items() if where == kind]

    @property
    def per_synapse_events(self) -> bool:
        """Whether some event-driven variable is kept per synapse (each synapse then has a last-update step)."""
        return any(self.storage[v] == "synapse" for v in self.model.event_driven)

    def keeps_last_event(self, side: str) -> bool:
        """Whether the kernel keeps each ``side`` neuron's last event step (``Y<q>a`` / ``Y<q>b``): for its
        per-neuron traces, and, where traces are kept per neuron, for the events of the pathway of
        ``side`` (a trace is reported as of each synapse's last event, as Brian2 stores it; with
        per-synapse delays a presynaptic neuron's events reach its synapses at different steps)."""
        per_neuron = bool(self.rows("pre") or self.rows("post"))
        pathway = bool(self.model.pathways[f"on_{side}"]) and (side == "post" or self.delay >= 0)
        return bool(self.rows(side)) or (per_neuron and pathway)


@dataclass
class KernelPlan:
    """Everything one simulation needs, in kernel order."""

    populations: list[PopulationPlan]
    drives: list[DrivePlan] = field(default_factory=list)
    monitors: list[MonitorPlan] = field(default_factory=list)
    sources: list[SourcePlan] = field(default_factory=list)
    projections: list[ProjectionPlan] = field(default_factory=list)
    poisson_inputs: list[PoissonInputPlan] = field(default_factory=list)
    regular_operations: list[RegularOperationPlan] = field(default_factory=list)
    timed_arrays: list[Any] = field(default_factory=list)
    """The :class:`~snnzoo.language.timed_array.TimedArray` objects the models call (distinct names)."""
    synapses: list[SynapsePlan] = field(default_factory=list)
    """Projections that run a synapse model."""
    precision: str = "double"
    """"double" or "single": the float type of the neuron maths (see :mod:`snnzoo.engine.precision`)."""

    def population(self, index: int) -> PopulationPlan:
        """The population with group index ``index`` (sources share the numbering)."""
        return next(p for p in self.populations if p.index == index)

    def population_named(self, name: str) -> PopulationPlan:
        """The population called ``name``."""
        return next(p for p in self.populations if p.name == name)

    @property
    def spikers(self) -> list[PopulationPlan | SourcePlan]:
        """Everything that emits spikes, in index order."""
        return sorted([*self.populations, *self.sources], key=lambda p: p.index)

"""Projections that run a synapse model: per-synapse values and kernel plans.

:meth:`snnzoo.Network.connect` with ``synapse=`` makes a :class:`SynapticState` (the
bound model and the per-synapse values), :func:`plan` hands it to the engine (see
:mod:`snnzoo.engine.synapses_codegen`), and :func:`pull` keeps the state the kernel
reached after a run (:mod:`snnzoo.results.tree` stores it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.layout import SynapseArrays, SynapseMonitorArrays
from ..engine.plan import SynapseMonitorPlan, SynapsePlan
from ..errors import ConfigError, UnknownNameError
from ..units import check_value, si_unit_string
from . import connectivity

if TYPE_CHECKING:
    from ..language.synapse_model import BoundSynapse


@dataclass
class SynapseMonitor:
    """Samples ``variables`` of ``synapses`` every ``every`` steps; ``samples`` (samples, variables,
    synapses) holds what the kernel recorded so far."""

    name: str
    variables: list[str]
    synapses: np.ndarray
    every: int
    samples: np.ndarray | None = None


@dataclass
class SynapticState:
    """A projection's synapse model and values: one value or one per synapse, SI units."""

    bound: BoundSynapse
    values: dict[str, np.ndarray]
    post_delay: int
    integrator: object | None
    per_synapse: set[str]
    """Parameters and state variables given one value per synapse."""
    monitors: list[SynapseMonitor] = field(default_factory=list)
    target_neurons: np.ndarray | None = None
    """The neurons of the target the projection was made onto (a slice), or None for the whole target."""
    given: dict[str, Any] = field(default_factory=dict)
    """The values given (not the model's defaults), by name, as the user wrote them: for provenance."""

    @property
    def model(self):
        return self.bound.model

    def unit(self, name: str) -> str:
        """The SI unit string of a variable or parameter."""
        return si_unit_string(self.model.units[name])

    def assign(self, name: str, array: np.ndarray, shown: Any, where: str) -> None:
        """Keep ``array`` (SI values: one, or one per synapse) as the values of parameter or state variable
        ``name``; a parameter's sign is checked (``shown`` is the value as the user gave it)."""
        spec = self.model.parameters.get(name)
        if spec is not None and spec.sign:
            check_value(array, what=f"{where}: parameter {name!r}", shown=shown, sign=spec.sign,
                        unit=self.model.units[name])
        self.values[name] = array
        self.given[name] = shown
        if array.size > 1:
            self.per_synapse.add(name)
        else:
            self.per_synapse.discard(name)


    def given_as_data(self) -> dict[str, dict[str, Any]]:
        """The ``parameters`` and ``initial`` values given, as provenance records them (an expression as
        written, a quantity as a number with its unit; the weight ``w`` is the projection's ``weight``)."""
        model = self.model
        return {table: {name: connectivity.as_provenance(value) for name, value in self.given.items()
                        if name in names and name != "w"}
                for table, names in (("parameters", model.parameters), ("initial", model.state_variables))}


def make_state(bound: BoundSynapse, parameters: dict[str, Any], initial: dict[str, Any], weight: Any,
               i: np.ndarray, j: np.ndarray, rng: np.random.Generator, post_delay: int, integrator,
               where: str, order: np.ndarray | None = None, target_neurons: np.ndarray | None = None, *,
               sizes: tuple[int, int], clock: tuple[float, float]) -> SynapticState:
    """The per-synapse values of a new projection with synapses ``i`` -> ``j``: model defaults, then
    ``parameters``, ``initial`` and ``weight`` (w), each given as :func:`snnzoo.network.connectivity.values` accepts
    (arrays of one value per synapse picked in ``order``, if given; ``sizes`` are those of the two groups, ``clock``
    the time and time step an expression reads as ``t`` and ``dt``).
    ``target_neurons``: the target's neurons it was made onto, if a slice."""
    n = i.size
    model = bound.model
    values: dict[str, np.ndarray] = {}
    for name, spec in model.parameters.items():
        if spec.default is not None:
            values[name] = np.array([spec.default])
    for name in model.state_variables:
        values[name] = np.array([model.initial.get(name, 0.0)])
    given = {}
    tables = (("parameter", "parameters", parameters, list(model.parameters)),
              ("initial value", "initial", initial, model.state_variables))
    for kind, argument, table, known in tables:
        for name, value in table.items():
            if name not in known:
                other = next((other for _, other, _, names in tables if name in names), None)
                if other:  # Brian2 declares per-synapse constants 'tau : second' (a state variable here)
                    raise ConfigError(f"{where}: {argument}= gives {name!r}, which {model.where} declares as "
                                      f"{'a parameter' if other == 'parameters' else 'a state variable'}; "
                                      f"give it in {other}=")
                raise UnknownNameError(f"{kind} of {where} ({model.where})", name, known)
            given[name] = value
    if weight is not None:
        if "w" not in model.state_variables:
            raise ConfigError(f"{where}: {model.where} has no variable 'w' for the weight; set its variables "
                              f"with initial= ({', '.join(model.state_variables)})")
        given["w"] = weight
    state = SynapticState(bound, values, post_delay, integrator, set(), target_neurons=target_neurons)
    for name, value in given.items():
        state.assign(name, connectivity.values(value, n, model.units[name], rng, f"{where}: {name}", i, j, order=order,
                                               sizes=sizes, clock=clock), value, where)
    missing = [p for p in model.parameters if p not in values]
    if missing:
        raise ConfigError(f"{where}: {model.where} parameter(s) {missing} have no default; give them in parameters")
    return state


def plan(index: int, projection, source: int, pre, target, monitor_offset: int) -> SynapsePlan:
    """The kernel plan of a projection with a synapse model (``pre`` None for a spike source);
    its synapse monitors are numbered from ``monitor_offset``."""
    state: SynapticState = projection.plastic
    steps = projection.delay_steps
    delay = connectivity.uniform_delay(steps)
    homogeneous = delay >= 0
    heterogeneous = {p for p in state.per_synapse if p in state.model.parameters}
    initial = {v for v in state.per_synapse if v in state.model.state_variables}
    from ..engine.synapses_codegen import classify  # sympy: only for networks with synapse models

    storage = classify(state.bound, heterogeneous, initial, homogeneous)
    monitors = [SynapseMonitorPlan(monitor_offset + m, f"{projection.name}/{mon.name}", mon.variables, mon.every,
                                   mon.synapses) for m, mon in enumerate(state.monitors)]
    slice_only = state.model.summed and state.target_neurons is not None and state.target_neurons.size < target.size
    return SynapsePlan(index, projection.name, source, pre, target, state.bound, storage, delay,
                       int(steps.max()) if steps.size else 0, state.post_delay, state.integrator,
                       projection.synapses, projection.source.size, state.values, monitors,
                       state.target_neurons.astype(np.int32) if slice_only else None)


def kernel_bytes(p: SynapsePlan) -> int:
    """The bytes the kernel holds for a projection with a synapse model (index, values, traces, queues)."""
    monitors = {name for m in p.monitors for name in SynapseMonitorArrays(m).names()}
    return sum(a.nbytes for name, a in SynapseArrays(p).allocate().items() if name not in monitors)


def pull(projection, values: dict[str, np.ndarray], samples: list[np.ndarray]) -> None:
    """Keep the synapses' stored state and the monitors' ``samples`` (from the kernel) in the projection;
    ``w`` is also its weights."""
    state: SynapticState = projection.plastic
    state.values.update(values)
    for mon, recorded in zip(state.monitors, samples):
        mon.samples = recorded
    if "w" in values:
        projection.synapses.weights = np.broadcast_to(values["w"], projection.synapses.post.shape).copy()

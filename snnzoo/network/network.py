"""Networks of populations, stimuli and monitors, run by one compiled kernel.

Typical use::

    net = Network(dt=0.1 * ureg.ms, seed=1)
    pop = net.add_population("adex", "adex", 8, parameters={"C": [200, 200, ...] * ureg.pF})
    net.add_stimulus(snnzoo.stimulus("step_current", times=[0, 500] * ureg.ms,
                                     amplitudes=[500, 0] * ureg.pA), "adex")
    net.record("adex", ["v", "w"])
    net.run(550 * ureg.ms)
    result = net.result()          # xarray.DataTree
"""

from __future__ import annotations

import contextlib
import itertools
import time
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pint

from ..engine.memory import MemoryBudget, population_bytes, record_bytes, synapse_bytes
from ..engine.plan import (
    DrivePlan,
    KernelPlan,
    MonitorPlan,
    PoissonInputPlan,
    PopulationPlan,
    ProjectionPlan,
    RegularOperationPlan,
    SourcePlan,
)
from ..engine.precision import check_plan_fits, checked_precision
from ..engine.simulation import Simulation, thread_count
from ..engine.thread_choice import default_thread_count
from ..errors import ConfigError, SimulationError, UnknownNameError
from ..language.model import NeuronModel
from ..language.stimulus import (FunctionDrive, GaussianDrive, OUDrive, PiecewiseDrive, SpikeTimes, call_stimulus,
                                 checked_drives, stimulus_settings)
from ..results.recording import PopulationRecord, StateRecord
from ..time_steps import UNREACHED_STEP
from ..units import (one_si, positive_si, same_dimension, seed_number, show, si_unit_string, ureg, whole_number,
                     whole_numbers)
from ..version import __version__
from . import connectivity
from . import synapses as synapses_module
from ..language.arguments import arguments_checked, refuse_read_only
from .poisson_input import PoissonInput
from .population import Population, PopulationView
from .projections import NAME, Projection, SpikeSource, parse_view

if TYPE_CHECKING:
    from ..language.synapse_model import SynapseModel

MAX_STEPS = 2**53
"""The most steps one run may have (step counts are exact integers in float64 times below it)."""


def _registry():
    from ..plugins.loader import get_registry

    return get_registry()


def resolve_model(model: NeuronModel | str) -> NeuronModel:
    """A model object, looking names up in the plugin registry."""
    return model if isinstance(model, NeuronModel) else _registry().model(model)


def resolve_synapse_model(model: SynapseModel | str) -> SynapseModel:
    """A synapse model object, looking names up in the plugin registry."""
    from ..language.synapse_model import SynapseModel

    return model if isinstance(model, SynapseModel) else _registry().synapse_model(model)


def resolve_integrator(integrator: Any):
    """An integrator object, looking names up in the plugin registry; anything else that is no integrator (an
    object without ``name`` and ``update()``) is refused here (``integrator=3`` failed at the first run: "integrator
    'int': update() raised AttributeError")."""
    if isinstance(integrator, str):
        return _registry().integrator(integrator)
    if not (isinstance(getattr(integrator, "name", None), str) and callable(getattr(integrator, "update", None))):
        raise ConfigError(f"integrator: expected a registered integrator's name (e.g. 'rk4') or an integrator "
                          f"object with a name and an update() method, got {show(integrator)}")
    return integrator


def _recorded_variables(variables: Sequence[str] | str, recordables: Sequence[str], kind: str, what: str) -> list[str]:
    """The variables a monitor records: one name or a list of distinct names, each recordable."""
    names = [variables] if isinstance(variables, str) else list(variables) if isinstance(variables, Iterable) else []
    if not names or len(set(names)) != len(names) or not all(isinstance(name, str) for name in names):
        raise ConfigError(f"{what}: expected one or more distinct variables to record, got {show(variables)}")
    for name in names:
        if name not in recordables:
            raise UnknownNameError(kind, name, recordables)
    return names


def _recorded_indices(indices: Any, size: int, kind: str, what: str) -> np.ndarray:
    """The indices a monitor records: all ``size`` of them (None), or distinct whole numbers in 0..size-1."""
    if indices is None:
        return np.arange(size, dtype=np.int64)
    if isinstance(indices, (bool, np.bool_)):
        raise ConfigError(f"{what}: {kind}={indices!r} is not a list of indices (Brian's record=True is the "
                          f"default here: leave {kind} out to record all of them)")
    idx = whole_numbers(indices, what=f"{what}: {kind}", size=size, items=kind)
    if idx.ndim != 1:
        raise ConfigError(f"{what}: {kind} must be a list of indices, got {show(indices)}")
    if idx.size == 0:
        raise ConfigError(f"{what}: {kind} must be indices in 0..{size - 1}, got {show(indices)}")
    if np.unique(idx).size != idx.size:
        raise ConfigError(f"{what}: {kind} must not repeat, got {show(indices)}")
    return idx.astype(np.int64)


def _part_name(name: str | None, taken: Sequence[str], default: str, what: str) -> str:
    """The name of a monitor, Poisson input or regular operation: as given, unless another of its kind (a
    monitor: of the same group) has it, or (None) ``default`` followed by the first number from
    ``len(taken)`` not taken. It names variables and groups of the result, and entries of its provenance."""
    if name is None:
        return next(f"{default}{k}" for k in itertools.count(len(taken)) if f"{default}{k}" not in taken)
    _checked_name(name, f"{what}: ")
    if name in taken:
        raise ConfigError(f"{what}: the name {name!r} is taken (give each a name of its own)")
    return name


def _checked_name(name: Any, prefix: str = "") -> str:
    """A name of a group, projection or monitor: letters, digits, '_' and '-', not starting with a digit
    (the names slices such as ``E[:80]`` parse, and that become groups of the result)."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ConfigError(f"{prefix}name {name!r}: expected letters, digits, '_' and '-', not starting with a digit "
                          "(e.g. 'E' or 'exc_1')")
    return name


@dataclass
class _Monitor:
    name: str
    population: Population
    variables: list[str]
    neurons: np.ndarray
    every: int
    start: int = 0
    """The step at which the monitor was added (its first sample is the next multiple of ``every``)."""


@dataclass
class _RegularOperation:
    name: str
    population: Population
    code: str
    statements: list
    every: int


@dataclass
class _DriveBinding:
    population: Population
    variable: str
    drive: PiecewiseDrive | FunctionDrive | GaussianDrive | OUDrive
    stimulus: str
    """The stimulus the drive comes from, as errors name it (``stimulus 'wave' (function_current)``)."""

    @property
    def kind(self) -> str:
        return {PiecewiseDrive: "piecewise", FunctionDrive: "buffered", GaussianDrive: "gaussian",
                OUDrive: "ou"}[type(self.drive)]

    @property
    def per_neuron(self) -> bool:
        drive = self.drive
        if isinstance(drive, PiecewiseDrive):
            return drive.values.shape[1] > 1
        if isinstance(drive, FunctionDrive):
            return drive.per_neuron
        if isinstance(drive, GaussianDrive):
            return max(np.size(drive.mean), np.size(drive.std)) > 1
        return not drive.shared


_SETTINGS = ("dt", "seed", "integrator", "threads", "precision")
"""What :class:`Network` is given when it is made (its keyword arguments)."""


@arguments_checked({"connect": (*connectivity.RULES, "j")})
class Network:
    """Populations, stimuli and monitors simulated together with a fixed time step.

    ``seed`` makes runs reproducible (None draws one and records it in the
    result). ``integrator`` is the default for populations whose model names none.
    ``threads`` shares the work of large populations among that many threads
    (default: every core, or one for a network too small to gain from more: see
    :func:`snnzoo.engine.thread_choice.default_thread_count`); the results do not depend on it. ``precision`` is "double" (the
    default) or "single": the neuron maths in float32 (see :mod:`snnzoo.engine.precision`).
    """

    def __init__(self, dt: Any = "0.1 ms", *, seed: int | None = None, integrator: Any = None,
                 threads: int | None = None, precision: str = "double"):
        self.dt = positive_si(dt, "s", what="dt")
        self.precision = checked_precision(precision)
        self.threads, capped = thread_count(threads)
        self._threads_by_default = threads is None
        """Whether ``threads`` was left at its default: a network too small to share then runs with one."""
        if capped:
            warnings.warn(capped, UserWarning, stacklevel=3)  # the caller of the argument check
        self.seed = (seed_number(seed) if seed is not None
                     else int(np.random.SeedSequence().entropy % 2**32))
        if integrator is not None:
            resolve_integrator(integrator)  # a misspelt name fails here, not at the first population using it
        self.integrator = integrator
        self.groups: dict[str, Population | SpikeSource] = {}
        self.projections: dict[str, Projection] = {}
        self.stimuli: list[dict[str, Any]] = []
        self._drives: list[_DriveBinding] = []
        self._monitors: list[_Monitor] = []
        self._poisson_inputs: list[PoissonInput] = []
        self._regular_operations: list[_RegularOperation] = []
        self._simulation: Simulation | None = None
        self._stale: Simulation | None = None
        self.runs: list[dict[str, Any]] = []
        self.complete = True
        self.memory = MemoryBudget()
        """What the network's parts will hold in memory, checked before each is allocated."""
        self._made = True

    def __setattr__(self, name: str, value: Any) -> None:
        """The network's settings and parts (``dt``, ``seed``, ``threads``, ``precision``, ``integrator``,
        ``groups``...) are read-only once it is made: ``net.dt = 0.05 * ms`` (Brian2's ``defaultclock.dt = ...``)
        or ``net.precision = "half"`` replaced the attribute in silence, unchecked, while a built kernel kept
        the old one."""
        if self.__dict__.get("_made") and not name.startswith("_") and name != "complete":
            fixed = (f"when it is made: give Network({name}=...)" if name in _SETTINGS else
                     "by the network: its methods add_population, connect, record, run ... change it")
            refuse_read_only(self, name, "Network", fixed)
        object.__setattr__(self, name, value)

    @property
    def populations(self) -> dict[str, Population]:
        """The neuron populations (spike sources excluded), by name."""
        return {n: g for n, g in self.groups.items() if isinstance(g, Population)}

    @property
    def sources(self) -> dict[str, SpikeSource]:
        """The spike sources, by name."""
        return {n: g for n, g in self.groups.items() if isinstance(g, SpikeSource)}

    def random(self, purpose: str, index: int) -> np.random.Generator:
        """A numpy Generator derived from the master seed for one purpose (connectivity, initial values)."""
        streams = {"connectivity": 1, "initial values": 2, "weights": 3}
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(streams[purpose], index)))

    def _check_new_name(self, name: str) -> None:
        self._check_not_built(f"add {name!r}")
        _checked_name(name)
        if name in self.groups or name in self.projections or name == "projections":
            raise ConfigError(f"the name {name!r} is taken (or reserved) in this network")

    # -- building ---------------------------------------------------------------
    def add_population(self, name: str, model: NeuronModel | str, size: int, *,
                       parameters: Mapping[str, Any] | None = None, initial: Mapping[str, Any] | None = None,
                       labels: Sequence[str] | None = None, integrator: Any = None,
                       refractory: Any = None, preset: str | None = None) -> Population:
        """Add ``size`` neurons of ``model`` (an object or a registered name).

        ``preset`` starts from one of the model's parameter presets (``model.presets``);
        ``parameters`` override it and the defaults. ``refractory`` (a time) overrides the
        model's refractory period.
        """
        self._check_new_name(name)
        try:
            size = whole_number(size, what="size", minimum=1)  # 3 or 3.0, as every whole number of the API
        except ConfigError:
            raise ConfigError(f"population {name!r}: size must be a whole number >= 1, got {show(size)}") from None
        for argument, given in (("parameters", parameters), ("initial", initial)):
            if given is not None and not isinstance(given, Mapping):
                raise ConfigError(f"population {name!r}: {argument}: expected a dictionary of names and values, "
                                  f"got {show(given)}")
        model = resolve_model(model)
        values = len(model.parameters) + len(model.state_variables) + len(model.variables)
        self.memory.require(f"population {name!r} ({size} neurons)",
                            population_bytes(int(size), values, len(model.noise_names)), "use fewer neurons")
        chosen = resolve_integrator(integrator or model.integrator or self.integrator
                                    or model.automatic_integrator()[0])
        population = Population(self, name, model, int(size), parameters or {}, initial or {}, labels, chosen,
                                refractory, preset)
        self.groups[name] = population
        return population

    def add_source(self, name: str, stimulus) -> SpikeSource:
        """Add a spike source (``stimulus.source()``: spike generator, Poisson group)."""
        self._check_new_name(name)
        if not hasattr(stimulus, "source"):
            raise ConfigError(f"source {name!r}: stimulus {stimulus.name!r} is not a spike source")
        source = SpikeSource(name, stimulus, self.dt)
        self.memory.require(f"source {name!r} ({source.size} neurons)", population_bytes(source.size, 1, 0),
                            "use fewer source neurons")
        self.groups[name] = source
        return source

    def population(self, name: str | Population) -> Population:
        """The population called ``name`` (a whole population: a slice such as ``"G[:10]"`` is refused here)."""
        if isinstance(name, Population):
            return self._own(name)
        if isinstance(name, PopulationView) or (isinstance(name, str) and "[" in name):
            whole = name.name if isinstance(name, PopulationView) else parse_view(name)[0]
            shown = name if isinstance(name, str) else f"{whole}[...]"
            raise ConfigError(f"{shown}: only a whole population fits here, not a slice; give {whole!r} "
                              "(a monitor records some neurons with neurons=[...])")
        if not isinstance(name, str) or name not in self.populations:
            raise UnknownNameError("population", name if isinstance(name, str) else show(name), self.populations)
        return self.populations[name]

    def _own(self, group: Population | SpikeSource) -> Population | SpikeSource:
        """``group`` if this network made it; a group another network made is refused (it was taken in silence: a
        monitor of it recorded nothing, a stimulus or projection reached this network's group of the same name)."""
        if self.groups.get(group.name) is not group:
            raise ConfigError(f"{group.where}: a group of another network; give this network's own (its name "
                              f"{group.name!r} finds it, if it has one)")
        return group

    def _view(self, spec: Any, role: str) -> PopulationView:
        """A whole group or a slice from a name (``"G"``, ``"G[:80]"``), a group or a view."""
        if isinstance(spec, PopulationView):
            self._own(spec.group)
            return spec
        if isinstance(spec, (Population, SpikeSource)):
            return self._own(spec)[:]
        name, part = parse_view(str(spec))
        if name not in self.groups:
            raise UnknownNameError(f"{role} population or source", name, self.groups)
        group = self.groups[name]
        return group[part] if part is not None else group[:]

    def connect(self, source: Any, target: Any, on: str | None = None, weight: Any = None, *,
                synapse: SynapseModel | str | None = None, parameters: Mapping[str, Any] | None = None,
                initial: Mapping[str, Any] | None = None, delay: Any = "0 ms", post_delay: Any = None,
                op: str = "+=", name: str | None = None, autapses: bool = True, round_delays: bool = False,
                **rule: Any) -> Projection:
        """Connect ``source`` to ``target``: each presynaptic spike acts on the postsynaptic neuron.

        ``on`` is a variable (``"ge"``: the spike does ``ge op w``), a synaptic target
        the model names (``"glu_d"``: AMPA and NMDA on the dendrite), or statements
        linear in ``w`` such as ``"ge += w; x += 0.5*w"``.

        Or ``synapse`` names a synapse model (an object or a registered name) whose
        ``on_pre``/``on_post`` statements run for each synapse; ``weight`` is then the
        initial ``w``, ``parameters`` and ``initial`` give its parameters and state
        variables (one value, one per synapse, or a distribution table), and
        ``post_delay`` delays the postsynaptic spikes that reach ``on_post``.

        ``rule`` is one of ``p`` (with optional ``condition`` such as ``"i != j"``),
        ``condition``, ``fixed_in_degree``, ``fixed_out_degree``, ``one_to_one=True``,
        ``all_to_all=True``, ``i``/``j`` index arrays or ``matrix`` (scipy.sparse).
        ``weight`` and ``delay`` are quantities (one value, one per synapse, or a
        distribution table, or an expression of the pre- and postsynaptic indices ``i`` and ``j``
        such as ``"1*ms + 0.1*ms*abs(i - j)"``); ``weight`` must have the unit of the target
        variable. Delays must be multiples of dt, unless ``round_delays`` rounds them to the
        nearest step (as Brian2 does).
        """
        if name is None:
            base = f"{parse_view(str(getattr(source, 'name', source)))[0]}_to_{parse_view(str(getattr(target, 'name', target)))[0]}"
            name = next(f"{base}_{k}" if k else base for k in range(len(self.projections) + 1)
                        if (f"{base}_{k}" if k else base) not in self.projections)
        self._check_new_name(name)
        where = f"projection {name!r}"
        pre, post = self._view(source, "source"), self._view(target, "target")
        if not isinstance(post.group, Population):
            raise ConfigError(f"{where}: the target {post.name!r} is a spike source, not a neuron population")
        model = post.group.model
        if op not in ("+=", "-="):
            raise ConfigError(f"{where}: op must be '+=' or '-=', got {op!r}")
        if synapse is not None and on is not None:
            raise ConfigError(f"{where}: give either on (what a spike does) or synapse (a synapse model), not both")
        if synapse is None and on is None:
            raise ConfigError(f"{where}: give on (what a spike does, e.g. on='v' or on='ge += w') or synapse "
                              "(a synapse model); got neither")
        if synapse is None and weight is None:
            raise ConfigError(f"{where}: give the weight of the synapses, weight=..., the w that on= adds (Brian2's "
                              "on_pre='v += 0.5*mV' is on='v', weight=0.5*mV)")
        if synapse is None and (parameters or initial or post_delay is not None):
            raise ConfigError(f"{where}: parameters, initial and post_delay need a synapse model (synapse=...)")
        if synapse is not None:
            post_seconds = one_si("0 ms" if post_delay is None else post_delay, "s", what=f"{where}: post_delay",
                                  sign="non-negative")
            from ..language.integrators import choose_integrator
            from ..language.synapse_model import reference

            synapse = resolve_synapse_model(synapse)
            pre_model = pre.group.model if isinstance(pre.group, Population) else None
            bound = synapse.bind(pre_model, model, where)
            for summed in synapse.summed:
                self._refuse_summed_and_driven(post.group, reference(summed)[1], where, driven=False)
            unit, effects, on = synapse.units.get("w", ureg.dimensionless), [], synapse.name
        else:
            unit, effects = model.synaptic_effects(on, op, where)
        index = len(self.projections)
        same_group = pre.group is post.group  # autapses only exist within one group
        expected = connectivity.expected_count(rule, pre.indices.size, post.indices.size)
        explicit = connectivity.rule_kind(rule, where) in connectivity.EXPLICIT_RULES
        self.memory.require(f"{where} (about {expected:.3g} synapses while they are drawn)",
                            connectivity.building_bytes(expected, pre.group.size, post.group.size, explicit),
                            "use fewer or sparser connections",
                            keep=False)
        key = int(self.random("connectivity", index).bit_generator.random_raw())
        drawn = connectivity.draw(rule, pre.indices, post.indices, autapses or not same_group, key, pre.group.size,
                                  post.group.size, where)
        i = drawn.pre if synapse is not None or any(map(connectivity.is_expression, (weight, delay))) else None
        j, order = drawn.post, drawn.given_order
        rng = self.random("weights", index)
        # without a weight, a synapse model's w starts at its initial value (0 in w's unit unless given)
        sizes = (pre.group.size, post.group.size)
        weights = connectivity.values(weight if weight is not None else ureg.Quantity(0.0, unit), drawn.size, unit, rng,
                                      f"{where}: weight", i, j, order=order, sizes=sizes, clock=self.clock())
        if synapse is None:
            model.check_weights(on, op, weights, unit, where)
        delays = connectivity.values(delay, drawn.size, "s", rng, f"{where}: delay", i, j, sign="non-negative",
                                     order=order, sizes=sizes, clock=self.clock())
        steps = connectivity.delay_steps(delays, self.dt, where, round_delays=round_delays)
        ring = (int(steps.max(initial=0)) + 1) * (pre.group.size * 4 if connectivity.uniform_delay(steps) >= 0 else post.group.size * 8)
        self.memory.require(f"{where} ({drawn.size} synapses, delays up to {steps.max(initial=0)} steps)",
                            synapse_bytes(j.nbytes + drawn.indptr.nbytes + weights.nbytes + steps.nbytes, drawn.size) + ring,
                            "use fewer connections or shorter delays")
        plastic = None
        if synapse is not None:
            post_steps = connectivity.delay_steps(np.array([post_seconds]), self.dt, f"{where}: post_delay",
                                                  round_delays=round_delays)
            chosen = resolve_integrator(synapse.integrator or self.integrator
                                        or choose_integrator(synapse.clock_driven_system())[0])
            plastic = synapses_module.make_state(bound, dict(parameters or {}), dict(initial or {}), weight, i, j, rng,
                                                 int(post_steps[0]), chosen, where, order, post.indices,
                                                 sizes=sizes, clock=self.clock())
            # rows sorted by (pre, delay): per-synapse delays are found by binary search in the kernel
            by_delay = np.lexsort((np.broadcast_to(steps, i.shape), i))
            j = j[by_delay]
            weights, steps = (a[by_delay] if a.size > 1 else a for a in (weights, steps))
            plastic.values = {k: (v[by_delay] if v.size > 1 else v) for k, v in plastic.values.items()}
            weights = plastic.values.get("w", weights)
        synapses = connectivity.Synapses(drawn.indptr, j, weights, steps)
        shown = {k: (v if np.isscalar(v) or isinstance(v, str) else "array") for k, v in rule.items()}
        projection = Projection(name, pre.group, post.group, on, effects, synapses, synapses.delays,
                                si_unit_string(unit), {**shown, "weight": connectivity.as_provenance(weight),
                                                       "delay": connectivity.as_provenance(delay),
                                                       "autapses": autapses, "round_delays": round_delays}, plastic,
                                network=self, rng=rng)
        self.projections[name] = projection
        return projection

    def link(self, population: str | Population, variable: str, source: str | Population, source_variable: str) -> None:
        """Make ``population.variable`` (declared ``(linked)``) read ``source.source_variable`` at every step."""
        self._check_not_built("link a variable")
        pop, src = self.population(population), self.population(source)
        where = f"link {pop.name}.{variable} -> {src.name}.{source_variable}"
        if variable not in pop.model.linked_variables:
            raise ConfigError(f"{where}: {variable!r} is not declared '(linked)' in {pop.where} "
                              f"(linked variables: {pop.model.linked_variables or 'none'})")
        if source_variable not in src.model.state_variables + src.model.variables:
            raise UnknownNameError(f"variable of {src.where}", source_variable,
                                   src.model.state_variables + src.model.variables)
        if not same_dimension(pop.model.units[variable], src.model.units[source_variable]):
            raise ConfigError(f"{where}: units differ ({pop.model.units[variable]:~} vs "
                              f"{src.model.units[source_variable]:~})")
        if src.size not in (1, pop.size):
            raise ConfigError(f"{where}: the source has {src.size} neurons; expected 1 or {pop.size}")
        pop.links[variable] = (src, source_variable)

    def add_stimulus(self, stimulus, population: str | Population, target: str = "I", name: str | None = None) -> None:
        """Feed ``stimulus`` into variable ``target`` (default ``I``) of a population (also between runs);
        ``name`` (an experiment's ``[stimuli.NAME]``) names it in errors during the run."""
        self._invalidate()
        pop = self.population(population)
        settings = {"population": pop.name, "target": target, **stimulus_settings(stimulus)}
        if hasattr(stimulus, "attach"):
            with self._undone_on_error():
                call_stimulus(stimulus, "attach", self, pop, target)
            self.stimuli.append(settings)
            return
        if not hasattr(stimulus, "drives"):
            raise ConfigError(f"stimulus {stimulus.name!r} is a spike source: use add_source and connect")
        if target not in pop.model.variables:
            raise ConfigError(
                f"stimulus {stimulus.name!r}: target {target!r} is not an input variable of {pop.where} "
                f"(declared variables: {pop.model.variables or 'none'}; declare it as '{target} : amp')"
            )
        pop.model.check_written(target, f"stimulus {stimulus.name!r} on {pop.where}")
        self._refuse_summed_and_driven(pop, target, f"stimulus {stimulus.name!r}", driven=True)
        described = f"stimulus {stimulus.name!r}" if name is None else f"stimulus {name!r} ({stimulus.name})"
        for drive in checked_drives(stimulus, pop.size, pop.model.units[target]):
            self._drives.append(_DriveBinding(pop, target, drive, described))
        self.stimuli.append(settings)

    def _refuse_summed_and_driven(self, pop: Population, variable: str, where: str, *, driven: bool) -> None:
        """A variable that a synapse model's summed variable sets every step cannot also be the input of a
        stimulus (``driven``: the new part is the stimulus): the sum would replace the stimulus's input."""
        stimuli = [b for b in self._drives if b.population is pop and b.variable == variable]
        sums = [name for name, p in self.projections.items() if p.plastic is not None and p.target is pop
                and f"{variable}_post" in p.plastic.model.summed]
        if (driven and sums) or (not driven and stimuli):
            summing = f"projection {sums[0]!r}" if driven else "this projection"
            raise ConfigError(f"{where}: {pop.name}.{variable} would be both a stimulus's input and the sum of "
                              f"{summing}'s summed variable, which replaces the input every step; give each its own "
                              f"variable (e.g. '{variable} = {variable}_stim + {variable}_syn' with both declared)")

    @contextlib.contextmanager
    def _undone_on_error(self) -> Iterator[None]:
        """Remove what the block added to the network if it raises: a composite stimulus whose
        ``attach`` fails after adding its source (a Poisson layer with a refused weight) adds nothing."""
        parts = (self.groups, self.projections, self.memory.parts)
        lists = (self.stimuli, self._drives, self._monitors, self._poisson_inputs, self._regular_operations)
        saved = [dict(part) for part in parts], [list(items) for items in lists]
        try:
            yield
        except BaseException:
            for part, before in zip(parts, saved[0]):
                part.clear()
                part.update(before)
            for items, before in zip(lists, saved[1]):
                items[:] = before
            raise

    def add_poisson_input(self, population: str | Population, target: str, N: int, rate: Any, weight: Any, *,
                          name: str | None = None) -> PoissonInput:
        """``N`` independent Poisson inputs at ``rate``, each adding ``weight`` to ``target`` of every
        neuron, drawn as one Binomial(N, rate*dt) per neuron and step (Brian2's ``PoissonInput``)."""
        pop = self.population(population)
        name = _part_name(name, [d.name for d in self._poisson_inputs], "poisson_input_", "Poisson input")
        checked = PoissonInput.checked(name, pop, target, N, rate, weight, self.dt)
        self._invalidate()
        self._poisson_inputs.append(checked)
        return checked

    def run_regularly(self, population: str | Population, code: str, dt: Any = None, *,
                      name: str | None = None) -> None:
        """Run statements such as ``"v = EL + sigma*randn()"`` on every neuron every ``dt``
        (a multiple of the network's dt; every step if not given, as in Brian2), after the inputs of
        that step (Brian2's ``run_regularly``)."""
        pop = self.population(population)
        name = _part_name(name, [op.name for op in self._regular_operations], "regular_operation_",
                          "regular operation")
        where = f"regular operation {name!r} on {pop.where}"
        period = self.dt if dt is None else positive_si(dt, "s", what=f"{where}: dt")
        every = int(round(period / self.dt))
        if every < 1 or abs(every * self.dt - period) > 1e-6 * self.dt:
            raise ConfigError(f"{where}: dt {show(dt)} is not a multiple of the network's dt = {self.dt * 1e3:g} ms")
        every = min(every, UNREACHED_STEP)  # longer than any run: at step 0 only (the kernel takes int64 steps)
        statements = pop.model.checked_statements(code, where)
        self._invalidate()
        self._regular_operations.append(_RegularOperation(name, pop, code, statements, every))

    def record(self, population: str | Population, variables: Sequence[str] | str, *,
               neurons: Sequence[int] | None = None, rate: Any = None, name: str | None = None) -> None:
        """Record ``variables`` of ``neurons`` (default all) every step, or at ``rate`` (a frequency);
        a monitor added between runs records from then on."""
        pop = self.population(population)
        what = f"record {pop.name!r}"
        variables = _recorded_variables(variables, pop.model.recordables, f"recordable of {pop.where}", what)
        every = self._every(rate, what)
        idx = _recorded_indices(neurons, pop.size, "neurons", what)
        # a given name must differ from the population's other monitors, a default one from every monitor
        taken = [m.name for m in self._monitors if name is None or m.population is pop]
        name = _part_name(name, taken, "m", what)
        self._invalidate()
        self._monitors.append(_Monitor(name, pop, variables, idx, every, self.step))

    def _invalidate(self) -> None:
        """Something was added between runs: the kernel is regenerated at the next run, and the
        new simulation continues from the old one (state, spikes in flight, random stream)."""
        if self._simulation is None:
            return
        for pop in self.populations.values():
            pop.values.update(self._simulation.read_state(pop.name))
        self._stale, self._simulation = self._simulation, None

    def record_synapses(self, projection: str | Projection, variables: Sequence[str] | str, *, synapses: Any = None,
                        rate: Any = None, name: str | None = None) -> None:
        """Record ``variables`` of a projection's synapse model (by name, or the projection ``connect`` returned)
        for ``synapses`` (indices, default all) every step or at ``rate``; the result holds them under
        ``/projections/<projection>/<name>``."""
        self._check_not_built("add a monitor")
        if isinstance(projection, Projection):  # Brian2's StateMonitor(S, 'w') takes the object
            if self.projections.get(projection.name) is not projection:
                raise ConfigError(f"projection {projection.name!r}: a projection of another network; give this "
                                  f"network's own (its name {projection.name!r} finds it, if it has one)")
            projection = projection.name
        if not isinstance(projection, str) or projection not in self.projections:
            raise UnknownNameError("projection", projection if isinstance(projection, str) else show(projection),
                                   self.projections)
        proj = self.projections[projection]
        if proj.plastic is None:
            raise ConfigError(f"record_synapses {projection!r}: the projection has no synapse model (only "
                              "projections made with synapse=... have synaptic variables)")
        what = f"record_synapses {projection!r}"
        model = proj.plastic.model
        variables = _recorded_variables(variables, model.recordables, f"recordable of {model.where}", what)
        every = self._every(rate, what)
        idx = _recorded_indices(synapses, proj.size, "synapses", what)
        monitors = proj.plastic.monitors
        monitor_name = _part_name(name, [m.name for m in monitors], "record", what)
        monitors.append(synapses_module.SynapseMonitor(monitor_name, variables, idx, every))

    def _every(self, rate: Any, what: str) -> int:
        """Steps between samples for a recording ``rate`` (None: every step)."""
        if rate is None:
            return 1
        steps = 1.0 / (positive_si(rate, "Hz", what=f"{what}: rate") * self.dt)
        every = int(round(steps))
        if every < 1 or abs(every - steps) > 1e-6 * steps:
            nearest = max(every, 1)
            raise ConfigError(
                f"{what}: rate {show(rate)} samples every {steps:.7g} steps of dt = {self.dt * 1e3:g} ms; expected "
                f"a rate of 1/(k*dt) for a whole number k >= 1, written exactly, such as "
                f"1/({nearest * self.dt * 1e3:g} ms) for every {'step' if nearest == 1 else f'{nearest} steps'}")
        return min(every, UNREACHED_STEP)  # longer than any run: at step 0 only (the kernel takes int64 steps)

    def _check_not_built(self, action: str) -> None:
        if self._simulation is not None or self._stale is not None:
            raise ConfigError(f"cannot {action} after the network has run")

    # -- the kernel -------------------------------------------------------------
    def _plan(self) -> KernelPlan:
        """What the engine simulates: every group, drive, monitor and projection in kernel order."""
        index = {name: k for k, name in enumerate(self.groups)}
        plans, sources = [], []
        for k, (name, group) in enumerate(self.groups.items()):
            if isinstance(group, SpikeSource):
                kind = "times" if isinstance(group.spec, SpikeTimes) else "poisson"
                rate_kind = "buffered" if kind == "poisson" and group.spec.function is not None else "constant"
                sources.append(SourcePlan(k, name, group.size, kind, group.spec, rate_kind))
                continue
            pop = group
            unlinked = set(pop.model.linked_variables) - set(pop.links)
            if unlinked:
                raise ConfigError(f"{pop.where}: linked variable(s) {sorted(unlinked)} are not linked; "
                                  "use Network.link(population, variable, source, source_variable)")
            rows = pop.model.state_variables + pop.model.variables
            links = {}
            for var, (src, src_var) in pop.links.items():
                src_rows = src.model.state_variables + src.model.variables
                links[var] = (index[src.name], src_rows.index(src_var), src.size > 1)
            homo = [p for p in pop.model.parameters if p not in pop.heterogeneous]
            refractoriness = pop.refractoriness
            steps = pop.refractory_steps(self.dt) if refractoriness.kind != "condition" else None
            plans.append(PopulationPlan(k, name, pop.model, pop.size, pop.integrator, rows, sorted(pop.heterogeneous),
                                        homo, int(steps[0]) if refractoriness.kind == "steps" else 0, pop.values, links,
                                        refractoriness.kind, steps, refractoriness.condition,
                                        pop.refractory_period_read_every_step()))
        rows = {p.name: p.rows for p in plans}
        drives = [DrivePlan(d, index[b.population.name], rows[b.population.name].index(b.variable), b.kind,
                            b.per_neuron, b.drive, b.population.size, b.stimulus) for d, b in enumerate(self._drives)]
        monitors = [MonitorPlan(m, mon.name, index[mon.population.name], mon.variables, mon.every, mon.neurons)
                    for m, mon in enumerate(self._monitors)]
        projections, synapse_plans = [], []
        for r, proj in enumerate(self.projections.values()):
            if proj.plastic is not None:
                target = next(p for p in plans if p.name == proj.target.name)
                pre = next((p for p in plans if p.name == proj.source.name), None)
                offset = sum(len(s.monitors) for s in synapse_plans)
                synapse_plans.append(synapses_module.plan(r, proj, index[proj.source.name], pre, target, offset))
                continue
            delay = connectivity.uniform_delay(proj.delay_steps)
            target = next(p for p in plans if p.name == proj.target.name)
            projections.append(ProjectionPlan(r, proj.name, index[proj.source.name], target, proj.effects, delay,
                                              proj.synapses.weights.size > 1, proj.synapses, proj.source.size))
        by_name = {p.name: p for p in plans}
        poisson_inputs = [PoissonInputPlan(q, d.name, by_name[d.population.name], d.target, d.count,
                                           d.rate * self.dt, d.weight) for q, d in enumerate(self._poisson_inputs)]
        operations = [RegularOperationPlan(q, by_name[op.population.name], op.statements, op.every)
                      for q, op in enumerate(self._regular_operations)]
        return KernelPlan(plans, drives, monitors, sources, projections, poisson_inputs, operations,
                          self._timed_arrays(), synapse_plans, self.precision)

    def _timed_arrays(self) -> list:
        """The timed arrays the populations' models call, checked against dt and their sizes."""
        timed_arrays: dict[str, Any] = {}
        for pop in self.populations.values():
            for name, timed in pop.model.functions.items():
                timed.check_grid(self.dt, pop.size, pop.where)
                if timed_arrays.setdefault(name, timed) is not timed:
                    raise ConfigError(f"{pop.where}: another model uses a different TimedArray named {name!r}; "
                                      "give each one its own name")
        return list(timed_arrays.values())

    def check_precision_fits(self) -> None:
        """Refuse a value that single precision cannot hold, as :meth:`build` would, without compiling anything
        (an experiment checks this before its first run, and a sweep before any of its runs)."""
        if self.precision == "single":
            check_plan_fits(self._plan(), self.dt)

    def build(self) -> None:
        """Generate, compile (or load from the disk cache) and set up the kernel."""
        if self._simulation is not None:
            return
        if not self.populations:
            raise ConfigError("the network has no population")
        plan = self._plan()
        threads = default_thread_count(plan, self.threads) if self._threads_by_default else self.threads
        self._simulation = Simulation(plan, self.dt, self.seed, threads)
        if self._stale is not None:
            self._simulation.continue_from(self._stale)
            self._stale = None

    # -- running ----------------------------------------------------------------
    @property
    def step(self) -> int:
        """The number of steps simulated so far."""
        simulation = self._simulation or self._stale
        return simulation.step if simulation is not None else 0

    def recording_bytes(self, steps: int) -> int:
        """About the bytes the monitors' recordings of ``steps`` more steps hold, one copy at 8 bytes a value
        (what a sweep that keeps every run's traces holds per run)."""
        recordings = [(m.every, len(m.variables), m.neurons.size) for m in self._monitors]
        recordings += [(m.every, len(m.variables), m.synapses.size) for projection in self.projections.values()
                       if projection.plastic is not None for m in projection.plastic.monitors]
        return sum(record_bytes(steps // every + 1, variables, width, copies=1)
                   for every, variables, width in recordings)

    def steps_of(self, duration: Any) -> int:
        """The number of steps of dt that ``duration`` runs: a positive time, a whole number of steps,
        at most ``MAX_STEPS`` (what :meth:`run` takes; an experiment checks its phases with it before running)."""
        seconds = positive_si(duration, "s", what="duration")
        shown = f"duration {duration if isinstance(duration, str) else show(duration)}"
        step = f"dt = {self.dt * 1e3:g} ms"  # as every message gives dt (it said '0.0001 s' beside '0.25 ms')
        if seconds / self.dt > MAX_STEPS:
            raise ConfigError(f"{shown} is {seconds / self.dt:.3g} steps of {step}; "
                              f"at most {MAX_STEPS:.3g} steps can be run")
        n_steps = int(round(seconds / self.dt))
        if n_steps == 0:  # within the tolerance below of no step at all: it ran nothing, in silence
            raise ConfigError(f"{shown} is shorter than one step of {step}; expected a whole number of steps >= 1")
        if abs(n_steps * self.dt - seconds) > 1e-6 * self.dt + 1e-12:
            raise ConfigError(f"{shown} is {seconds / self.dt:.6g} steps of {step}; expected a whole number of steps")
        return n_steps

    def run(self, duration: Any, *, progress: bool = False) -> None:
        """Advance the simulation by ``duration`` (a time quantity), in compiled chunks.

        ``progress`` shows a bar with simulated time, speed and ETA on stderr.
        Ctrl-C stops at the end of the current chunk; what ran is kept and the
        result is marked incomplete.
        """
        n_steps = self.steps_of(duration)
        self.build()
        simulation = self._simulation
        simulation.check_memory(n_steps, self.memory)
        start = simulation.step
        began = time.perf_counter()
        try:
            finished = simulation.advance(n_steps, progress=progress)
        except SimulationError:
            self.complete = False
            raise
        finally:
            self._pull_synapses()
        if not finished:
            self.complete = False
        self.runs.append({"start": start * self.dt, "duration": (simulation.step - start) * self.dt,
                          "wall_seconds": time.perf_counter() - began, "threads": simulation.threads})

    def _pull_synapses(self) -> None:
        """Keep the state and recordings the kernel reached in each projection with a synapse model."""
        for s in self._simulation.plan.synapses:
            projection = list(self.projections.values())[s.index]
            samples = [self._simulation.synapse_samples(m.index) for m in s.monitors]
            synapses_module.pull(projection, self._simulation.read_synapses(s.index), samples)

    # -- results ----------------------------------------------------------------
    @property
    def t(self) -> pint.Quantity:
        """The simulated time so far."""
        return ureg.Quantity(self.step * self.dt, "s")

    def clock(self) -> tuple[float, float]:
        """The simulated time so far and the time step, in seconds: what ``t`` and ``dt`` are in an
        expression of initial, synaptic or set values (:data:`snnzoo.time_steps.CLOCK_NAMES`)."""
        return self.step * self.dt, self.dt

    def records(self) -> list[PopulationRecord]:
        """What was recorded, as plain SI arrays per population."""
        simulation = self._simulation or self._stale
        records = []
        for name, pop in self.groups.items():
            if simulation is not None:
                steps, neurons = simulation.spikes(name)
                counts = simulation.spike_counts(name)
            else:
                steps, neurons = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
                counts = np.zeros(pop.size, dtype=np.int64)
            states = []
            for m, mon in enumerate(self._monitors):
                if mon.population is not pop:
                    continue
                recorded = simulation is not None and m < len(simulation.plan.monitors)
                data = simulation.samples(m) if recorded else np.zeros((0, len(mon.variables), mon.neurons.size))
                first = -(-mon.start // mon.every) * mon.every
                times = (first + np.arange(data.shape[0]) * mon.every) * self.dt
                units = {v: si_unit_string(pop.model.units.get(v, ureg.dimensionless)) for v in mon.variables}
                states.append(StateRecord(mon.name, mon.neurons, times,
                                          {v: data[:, c, :] for c, v in enumerate(mon.variables)}, units))
            kind = pop.model.name if isinstance(pop, Population) else pop.stimulus.name
            records.append(PopulationRecord(name, pop.size, steps * self.dt, neurons, states, pop.labels, kind, counts))
        return records

    def provenance(self, **extra: Any) -> dict[str, Any]:
        """Everything needed to reproduce the run: versions, specs, parameters, stimuli, seed, dt."""
        from ..plugins.loader import plugin_report

        return {
            "snnzoo_version": __version__,
            "plugins": {p.name: p.version for p in plugin_report() if not p.failure},
            "dt": self.dt,
            "seed": self.seed,
            "precision": self.precision,
            "duration": self.step * self.dt,
            "runs": self.runs,
            "complete": int(self.complete),
            "models": {p.model.name: p.model.to_dict() for p in self.populations.values()},
            "populations": {n: p.to_dict() for n, p in self.populations.items()},
            "sources": {n: s.to_dict() for n, s in self.sources.items()},
            "projections": {n: p.to_dict() for n, p in self.projections.items()},
            "links": {f"{p.name}.{v}": f"{src.name}.{sv}" for p in self.populations.values()
                      for v, (src, sv) in p.links.items()},
            "stimuli": self.stimuli,
            "poisson_inputs": {d.name: d.to_dict() for d in self._poisson_inputs},
            "regular_operations": {op.name: {"population": op.population.name, "code": op.code,
                                             "every_steps": op.every} for op in self._regular_operations},
            "monitors": [{"name": m.name, "population": m.population.name, "variables": m.variables,
                          "every_steps": m.every, "start_step": m.start} for m in self._monitors],
            **extra,
        }

    def result(self, *, with_projections: bool = True, **provenance: Any):
        """The recorded data as an ``xarray.DataTree`` with units and provenance (without the
        ``/projections`` groups if ``with_projections`` is false: a sweep that does not keep them)."""
        from ..results.tree import build_result

        if self.step == 0:
            raise ConfigError("result: the network has not run yet; call run(duration) first")
        return build_result(self.records(), self.provenance(**provenance),
                            projections=list(self.projections.values()) if with_projections else ())


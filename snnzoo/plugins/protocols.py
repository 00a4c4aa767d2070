"""The typed contract of plugin objects: what each kind of registered thing must offer.

A plugin registers objects through the hooks of :mod:`snnzoo.plugins.hookspecs`; the
:class:`~snnzoo.plugins.registry.Registry` checks each one against the protocol of its
kind when it is added, so a wrong object fails at registration and names the
plugin, not later inside a simulation. The protocols are structural
(:class:`typing.Protocol`): a plugin does not subclass anything, it provides
the attributes and methods below. snnzoo's own classes
(:class:`snnzoo.NeuronModel`, the integrators, the stimuli of ``snnzoo-stimuli``)
satisfy them the same way.

Kinds and their protocols:

- neuron model: :class:`NeuronModelSpec` (usually a :class:`snnzoo.NeuronModel`);
- synapse model: :class:`SynapseModelSpec`;
- stimulus kind: :class:`StimulusKind`, a callable (usually a class) whose
  instances take one of three forms: :class:`CurrentStimulus` (drives a
  variable), :class:`SpikeSourceStimulus` (a group of spiking inputs) or
  :class:`CompositeStimulus` (adds sources and projections itself);
- integrator: :class:`IntegratorSpec`;
- experiment catalog: :class:`ExperimentCatalog`, a folder of TOML files.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, Union, runtime_checkable

from ..language.stimulus import (FunctionDrive, GaussianDrive, OUDrive, PiecewiseDrive, PoissonRates,
                                 SpikeTimes)

if TYPE_CHECKING:
    import pint

    from ..language.integrators import OdeSystem, Statements

Drive = Union[PiecewiseDrive, FunctionDrive, GaussianDrive, OUDrive]
"""The drive forms the engine executes (see :mod:`snnzoo.language.stimulus`)."""

SourceSpec = Union[SpikeTimes, PoissonRates]
"""What a spike source describes itself as (see :mod:`snnzoo.language.stimulus`)."""

SOURCE_TYPES = (SpikeTimes, PoissonRates)
"""The same forms as a tuple, for ``isinstance`` checks."""


@runtime_checkable
class Named(Protocol):
    """Everything registered has a registry name and a one-line description."""

    name: str
    """A letter, then letters, digits, ``_`` or ``-`` (no ``:``, which qualifies names)."""
    description: str
    """One line (more lines after it are the long description)."""


@runtime_checkable
class NeuronModelSpec(Named, Protocol):
    """A neuron model: equations with units, documented parameters, threshold and reset.

    :class:`snnzoo.NeuronModel` implements it; the engine reads the rest of
    ``NeuronModel``'s attributes, so build models from that class.
    """

    parameters: Mapping[str, Any]
    """Parameter name -> :class:`snnzoo.language.model.ParameterSpec` (unit, default, description)."""
    equations: Sequence[Any]
    """The parsed equations (one per state variable, subexpression or variable)."""
    references: Sequence[str]
    """Published sources of the model and of its defaults."""

    def describe(self) -> str:
        """A page of documentation: equations, parameter table, references."""

    def to_dict(self) -> dict[str, Any]:
        """The full spec as plain data, stored in result provenance."""


@runtime_checkable
class SynapseModelSpec(Named, Protocol):
    """A synapse model: per-synapse state and parameters, and what a spike does.

    It documents itself like a neuron model (parameters, equations,
    ``describe()``, ``to_dict()``).
    """

    parameters: Mapping[str, Any]
    """Parameter name -> spec with unit, default and description."""
    equations: Sequence[Any]
    """The parsed per-synapse equations."""

    def describe(self) -> str:
        """A page of documentation: equations, parameter table, references."""

    def to_dict(self) -> dict[str, Any]:
        """The full spec as plain data, stored in result provenance."""


@runtime_checkable
class CurrentStimulus(Named, Protocol):
    """A configured stimulus that drives an input variable (``I : amp``) of a population."""

    def drives(self, size: int, unit: pint.Unit) -> list[Drive]:
        """The drives feeding ``size`` neurons, values in SI units of ``unit``.

        Several drives on one variable add up. Raise :class:`snnzoo.ConfigError`
        for settings that do not fit (wrong dimension, wrong number of values).
        """

    def to_dict(self) -> dict[str, Any]:
        """Settings as plain data (``{"type": name, ...}``), stored in provenance."""


@runtime_checkable
class SpikeSourceStimulus(Named, Protocol):
    """A configured stimulus that is a group of spiking inputs (``Network.add_source``)."""

    def source(self) -> SourceSpec:
        """The spikes: :class:`~snnzoo.language.stimulus.SpikeTimes` or :class:`~snnzoo.language.stimulus.PoissonRates`."""

    def to_dict(self) -> dict[str, Any]:
        """Settings as plain data (``{"type": name, ...}``), stored in provenance."""


class NetworkToExtend(Protocol):
    """What a composite stimulus's ``attach`` may use of the :class:`snnzoo.Network` it is added to."""

    def add_source(self, name: str, stimulus: Any) -> Any:
        """Add a spike source (a stimulus with ``source()``) called ``name``."""

    def connect(self, source: Any, target: Any, on: str | None = None, weight: Any = None, **options: Any) -> Any:
        """Connect ``source`` to ``target`` (see :meth:`snnzoo.Network.connect` for the options)."""


class PopulationToExtend(Protocol):
    """What a composite stimulus's ``attach`` may use of the population it acts on."""

    name: str
    size: int


@runtime_checkable
class CompositeStimulus(Named, Protocol):
    """A configured stimulus built from sources and projections (e.g. a Poisson input layer)."""

    def attach(self, network: NetworkToExtend, population: PopulationToExtend, target: str) -> None:
        """Add what it needs to ``network`` so that it acts on ``target`` of ``population``."""

    def to_dict(self) -> dict[str, Any]:
        """Settings as plain data (``{"type": name, ...}``), stored in provenance."""


Stimulus = Union[CurrentStimulus, SpikeSourceStimulus, CompositeStimulus]
"""A configured stimulus of any form."""

STIMULUS_FORMS: dict[str, type] = {
    "drives": CurrentStimulus,
    "source": SpikeSourceStimulus,
    "attach": CompositeStimulus,
}
"""The method that makes each stimulus form, and its protocol."""


@runtime_checkable
class StimulusKind(Named, Protocol):
    """What ``snnzoo_register_stimuli`` registers: usually a class, called with the settings.

    ``snnzoo.stimulus("step_current", times=..., amplitudes=...)`` calls it;
    the result is a :data:`Stimulus` of one of the three forms.
    """

    def __call__(self, **settings: Any) -> Stimulus:
        """A configured stimulus."""


@runtime_checkable
class IntegratorSpec(Named, Protocol):
    """A numerical method: turns a model's ODE system into update statements."""

    def update(self, system: OdeSystem) -> Statements:
        """Assignments ``(symbol, expression)``; the last ones set ``_new_<var>`` for each variable.

        Raise :class:`snnzoo.EquationError` naming ``system.where`` if the
        method cannot handle the system (e.g. noise in a deterministic method).
        """


@runtime_checkable
class ExperimentCatalog(Protocol):
    """A folder of experiment TOML files given as a path: a :class:`pathlib.Path`, or
    ``importlib.resources.files(__package__) / "catalog"`` in an installed package.

    Each ``*.toml`` file directly in it is one experiment, named after the file's
    stem; the file format is the experiment schema (``docs/experiments.md``).
    """

    def __fspath__(self) -> str:
        """The folder's path."""


def stimulus_form(stimulus: object) -> str | None:
    """The form of a configured stimulus (``"drives"``, ``"source"`` or ``"attach"``), None if none.

    A composite stimulus (``attach``) counts as composite even if it has the other methods too.
    """
    for method in ("attach", "drives", "source"):
        if callable(getattr(stimulus, method, None)):
            return method
    return None


FORM_ARGUMENTS = {"drives": ("size", "unit"), "source": (), "attach": ("network", "population", "target")}
"""The arguments snnzoo passes to each form's method (see the protocols above)."""


def form_signature_problem(kind: type) -> str | None:
    """Why the form method of stimulus class ``kind`` cannot be called as snnzoo calls it, or None."""
    form = stimulus_form(kind)
    if form is None:
        return None
    arguments = FORM_ARGUMENTS[form]
    defined = inspect.getattr_static(kind, form)
    try:
        signature = inspect.signature(getattr(kind, form))
    except (TypeError, ValueError):  # no signature to inspect (a builtin): nothing to say
        return None
    try:
        signature.bind(*(("self",) if inspect.isfunction(defined) else ()), *arguments)
    except TypeError:
        return (f"its {form}{signature} cannot be called as {form}({', '.join(arguments)}) "
                f"(define it as {form}(self{''.join(', ' + a for a in arguments)}))")
    return None


def missing_members(obj: object, protocol: type) -> list[str]:
    """The attributes and methods of ``protocol`` that ``obj`` lacks (empty if it conforms)."""
    wanted: list[str] = []
    for klass in reversed(protocol.__mro__):
        if klass in (Protocol, object) or not getattr(klass, "_is_protocol", False):
            continue
        wanted += list(vars(klass).get("__annotations__", {}))
        wanted += [name for name, value in vars(klass).items()
                   if callable(value) and (name == "__call__" or not name.startswith("_"))]
    # an attribute its class defines counts without being read (a model's equations are parsed when first read)
    defined = {name for klass in type(obj).__mro__ for name in vars(klass)}
    return [name for name in dict.fromkeys(wanted) if name not in defined and not hasattr(obj, name)]

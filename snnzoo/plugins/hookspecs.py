"""The hooks a snnzoo plugin implements (version :data:`HOOK_API_VERSION`).

A plugin is a module (or any object) named by an entry point of the group
``snnzoo``. It declares the contract version it was written for
(``HOOK_API_VERSION = 1``) and decorates functions with :data:`hookimpl` whose
names are those of the specs below; each receives a
:class:`snnzoo.plugins.registry.Registry` and adds to it objects that satisfy the
protocols of :mod:`snnzoo.plugins.protocols`. A plugin implements only the hooks it
needs and returns nothing (a hook that returns its objects instead of adding
them fails its plugin: they would be lost). The built-in plugins use these hooks too,
through the same entry point group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from snnzoo.plugins.registry import Registry

HOOK_API_VERSION = 1
"""Version of the hook contract: the hook names and what the registry offers them.

It goes up when a hook is removed or a registry method changes incompatibly;
adding a hook or a registry method keeps it.
"""

SUPPORTED_HOOK_API_VERSIONS = (1,)
"""The versions a plugin may declare; the loader refuses others, naming the version they need."""

hookspec = pluggy.HookspecMarker("snnzoo")
"""Marks the hook specifications below (for snnzoo itself, not for plugins)."""

hookimpl = pluggy.HookimplMarker("snnzoo")
"""Marks a plugin's hook implementations: ``@hookimpl def snnzoo_register_models(registry): ...``."""


@hookspec
def snnzoo_register_models(registry: Registry) -> None:
    """Add neuron models with ``registry.add_model(model)``.

    Each model is a :class:`snnzoo.NeuronModel` (protocol
    :class:`snnzoo.plugins.protocols.NeuronModelSpec`) with a ``name`` (a letter, then
    letters, digits, ``_`` or ``-``) and a one-line ``description``.
    """


@hookspec
def snnzoo_register_synapses(registry: Registry) -> None:
    """Add synapse models (:class:`snnzoo.SynapseModel`) with ``registry.add_synapse_model(model)``;
    a projection names one with ``synapse="name"``."""


@hookspec
def snnzoo_register_stimuli(registry: Registry) -> None:
    """Add stimulus kinds (currents, spike sources, ...) with ``registry.add_stimulus(stimulus)``.

    Each is a class (protocol :class:`snnzoo.plugins.protocols.StimulusKind`) whose
    instances drive a variable, are a spike source or attach themselves
    (:class:`~snnzoo.plugins.protocols.CurrentStimulus`,
    :class:`~snnzoo.plugins.protocols.SpikeSourceStimulus`,
    :class:`~snnzoo.plugins.protocols.CompositeStimulus`).
    """


@hookspec
def snnzoo_register_integrators(registry: Registry) -> None:
    """Add integration methods with ``registry.add_integrator(integrator)``
    (protocol :class:`snnzoo.plugins.protocols.IntegratorSpec`)."""


@hookspec
def snnzoo_register_catalog(registry: Registry) -> None:
    """Add ready experiments: ``registry.add_experiment(path)`` for one TOML file,
    ``registry.add_catalog(folder)`` for every ``*.toml`` file of a folder.

    The experiment's name is the file's stem. Ship the files as package data
    and find them with ``importlib.resources.files(__package__)``.
    """

"""The user's API for building and running simulations: a :class:`~snnzoo.network.network.Network` of
populations, spike sources, projections (connectivity rules, weights and delays, synapse models),
stimuli and monitors. It resolves names through the plugins, checks units, and hands the engine a
plan; it never touches the kernel's arrays."""

from ..lazy import lazy_package

lazy_package(__name__, {})  # its submodules on first use: snnzoo.network.NAME after a bare import snnzoo

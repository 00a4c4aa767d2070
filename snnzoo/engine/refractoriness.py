"""When a write to a neuron variable takes effect: ``(unless refractory)`` variables of a
refractory neuron keep their value (Brian2's ``not_refractory``), for every writer outside the
reset (synaptic effects, synapse model pathways, Poisson inputs, regular operations)."""

from __future__ import annotations

from .layout import NEVER, PopulationArrays
from .plan import PopulationPlan


def refractory_guard(p: PopulationPlan, variable: str, index: str, step: str = "n") -> str | None:
    """The condition under which a write to ``variable`` of neuron ``index`` takes effect, or None.

    As in Brian2, writes to an ``(unless refractory)`` variable from outside the reset
    (synaptic effects, synapse model pathways, Poisson inputs, regular operations) are dropped while the neuron is
    refractory, including in the step in which it spiked. Writes before the state update
    (regular operations) see the refractoriness of the previous step (``step="n - 1"``),
    as Brian2's ``not_refractory`` is only updated by the state update.
    """
    if variable not in p.model.unless_refractory:
        return None
    return not_refractory(p, index, step)


def not_refractory(p: PopulationPlan, index: str, step: str = "n") -> str | None:
    """Code that is true when neuron ``index`` is not refractory in ``step`` (None: never refractory)."""
    a = PopulationArrays(p)
    if p.refractory_kind == "condition":
        return f"{a.last_spike}[{index}] == {NEVER}"
    if p.refractory_kind == "per_neuron":
        return f"({step} - {a.last_spike}[{index}]) >= {a.refractory_steps}[{index}]"
    return f"({step} - {a.last_spike}[{index}]) >= {p.ref_steps}" if p.ref_steps > 0 else None

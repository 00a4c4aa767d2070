"""What a Brian2 script names otherwise than snnzoo: keywords and integrators. The errors for an unknown
keyword or integrator end with the snnzoo way, so that a ported script's first error tells what to write."""

from __future__ import annotations

BRIAN2_KEYWORDS = {
    "method": "Brian2's method= is integrator= here",
    "model": "Brian2's model= is the equations here (the argument after the name)",
    "namespace": "Brian2's namespace= is parameters= here (names and values)",
    "on_pre": "Brian2's on_pre= is on= here (on='v' or on='ge += w', with weight=), or a SynapseModel's on_pre "
              "given with synapse=",
    "on_post": "Brian2's on_post= belongs to a SynapseModel here, given with synapse=",
    "record": "Brian2's record= is neurons= here (leave it out to record every neuron)",
}
"""Brian2 keywords snnzoo's constructors and methods do not take, with what to write instead."""

BRIAN2_INTEGRATORS = {
    "linear": "Brian2's 'linear' is 'exact' here",
    "independent": "Brian2's 'independent' is 'exact' here (or the automatic choice: leave the integrator out)",
}
"""Brian2 integration methods that are not snnzoo integrators' names, with the one to use."""


def brian2_keyword_note(keyword: str) -> str:
    """How to write Brian2's ``keyword`` here, or "" if it is not one of Brian2's."""
    return BRIAN2_KEYWORDS.get(keyword, "")


def brian2_integrator_note(name: str) -> str:
    """Which integrator is Brian2's method ``name`` here, or "" if it is not one of Brian2's."""
    return BRIAN2_INTEGRATORS.get(name, "")

"""Synaptic receptors: double-exponential conductances, presets, and the NMDA magnesium block.

A receptor X on compartment c has two state variables, ``a_X_c`` (decaying with
tau_d) and ``b_X_c`` (decaying with tau_r); its conductance is ``g_X_c = a - b``.
A presynaptic spike of weight w adds ``w * g0 * norm`` to both, where ``norm``
makes the peak of ``a - b`` equal ``w * g0``: a weight is the peak conductance
before the receptor's gain g0.
"""

from __future__ import annotations

from dataclasses import dataclass

from snnzoo import Parameter
from snnzoo.errors import ConfigError
from snnzoo.units import positive_si, to_si


@dataclass(frozen=True)
class Receptor:
    """Reversal potential, rise and decay time constants, and gain of one receptor type."""

    E_rev: str
    tau_r: str
    tau_d: str
    g0: float
    nmda: bool = False


#: The SNN.jl tutorial's receptor values (Quaresima et al.), used as presets.
SOMA_RECEPTORS = {
    "AMPA": Receptor("0 mV", "0.26 ms", "2 ms", 0.73),
    "GABAa": Receptor("-70 mV", "0.1 ms", "15 ms", 0.38),
}
DENDRITE_RECEPTORS = {
    "AMPA": Receptor("0 mV", "0.26 ms", "2 ms", 0.73),
    "NMDA": Receptor("0 mV", "8 ms", "35 ms", 1.31, nmda=True),
    "GABAa": Receptor("-70 mV", "4.8 ms", "29 ms", 0.27),
    "GABAb": Receptor("-90 mV", "30 ms", "400 ms", 0.0006),
}
#: Receptor groups a projection can target: glutamatergic and GABAergic.
GROUPS = {"glu": ("AMPA", "NMDA"), "gaba": ("GABAa", "GABAb")}

#: NMDA magnesium block parameters (Jahr and Stevens form with Eyal et al. 2018 values).
NMDA_BLOCK = {
    "mg": Parameter("1 mM", "extracellular magnesium concentration", non_negative=True),
    "b_nmda": Parameter("3.36 mM", "magnesium block: concentration scale", positive=True),
    "k_nmda": Parameter("-0.077 / mV", "magnesium block: voltage dependence"),
}


def mg_block(v: str) -> str:
    """The unblocked fraction of NMDA channels at potential ``v`` (an expression)."""
    return f"1/(1 + mg/b_nmda*exp(k_nmda*{v}))"


def check_receptor(name: str, compartment: str, receptor: Receptor) -> None:
    """Refuse a receptor whose name is not an identifier or whose values cannot make a double exponential.

    Equal rise and decay time constants are refused: ``a - b`` would stay 0 and ``norm`` is 0/0. A
    receptor named like a group (``glu``, ``gaba``) is refused: the group's target would replace it.
    """
    where = f"receptor {name!r} on compartment {compartment!r}"
    if not isinstance(name, str) or not name.isidentifier() or name in GROUPS:
        raise ConfigError(f"{where}: expected an identifier as the receptor name, such as 'AMPA', other than the "
                          f"group names {', '.join(GROUPS)}")
    if not isinstance(receptor, Receptor):
        raise ConfigError(f"{where}: expected a Receptor(E_rev, tau_r, tau_d, g0), got {receptor!r}")
    to_si(receptor.E_rev, "V", what=f"{where}: E_rev")
    rise = positive_si(receptor.tau_r, "s", what=f"{where}: tau_r")
    decay = positive_si(receptor.tau_d, "s", what=f"{where}: tau_d")
    if rise == decay:
        raise ConfigError(f"{where}: tau_r and tau_d are both {receptor.tau_r}; expected different time constants "
                          "(a double exponential with equal ones is zero)")
    to_si(receptor.g0, "1", what=f"{where}: g0", sign="non-negative")


def receptor_equations(name: str, compartment: str, receptor: Receptor) -> tuple[list[str], dict, str, str]:
    """Equations, parameters, current expression and spike effect of one receptor on one compartment."""
    check_receptor(name, compartment, receptor)
    tag = f"{name}_{compartment}"
    v = f"v_{compartment}"
    equations = [
        f"da_{tag}/dt = -a_{tag}/tau_d_{tag} : siemens",
        f"db_{tag}/dt = -b_{tag}/tau_r_{tag} : siemens",
        f"g_{tag} = a_{tag} - b_{tag} : siemens",
        f"tpeak_{tag} = tau_d_{tag}*tau_r_{tag}/(tau_d_{tag} - tau_r_{tag})*log(tau_d_{tag}/tau_r_{tag}) : second",
        f"norm_{tag} = 1/(exp(-tpeak_{tag}/tau_d_{tag}) - exp(-tpeak_{tag}/tau_r_{tag})) : 1",
    ]
    parameters = {
        f"E_{tag}": Parameter(receptor.E_rev, f"{name} reversal potential ({compartment})"),
        f"tau_r_{tag}": Parameter(receptor.tau_r, f"{name} rise time constant ({compartment})", positive=True),
        f"tau_d_{tag}": Parameter(receptor.tau_d, f"{name} decay time constant ({compartment})", positive=True),
        f"g0_{tag}": Parameter(receptor.g0, f"{name} gain ({compartment})", non_negative=True),
    }
    block = f"*{mg_block(v)}" if receptor.nmda else ""
    current = f"g_{tag}*({v} - E_{tag}){block}"
    effect = f"a_{tag} += w*g0_{tag}*norm_{tag}; b_{tag} += w*g0_{tag}*norm_{tag}"
    return equations, parameters, current, effect

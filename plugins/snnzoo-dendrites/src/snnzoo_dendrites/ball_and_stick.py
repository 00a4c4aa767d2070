"""The ball-and-stick neuron: an AdEx soma coupled to passive dendrites with receptors.

Built as an ordinary :class:`snnzoo.NeuronModel` from equations, so it runs in
the same kernel as every other model and is dimension-checked like them.
"""

from __future__ import annotations

from collections.abc import Mapping

from snnzoo import NeuronModel, Parameter
from snnzoo.errors import ConfigError

from .geometry import HUMAN, dendrite_equations
from .receptors import DENDRITE_RECEPTORS, GROUPS, NMDA_BLOCK, SOMA_RECEPTORS, Receptor, receptor_equations

SOMA = {
    "C_m": Parameter("281 pF", "somatic membrane capacitance", positive=True),
    "g_L": Parameter("40 nS", "somatic leak conductance", positive=True),
    "E_L": Parameter("-70.6 mV", "leak reversal (resting) potential"),
    "V_reset": Parameter("-55.6 mV", "reset potential"),
    "V_th": Parameter("-50.4 mV", "resting exponential threshold"),
    "Delta_T": Parameter("2 mV", "slope factor", positive=True),
    "a": Parameter("4 nS", "subthreshold adaptation"),
    "b": Parameter("80.5 pA", "spike-triggered adaptation increment"),
    "tau_w": Parameter("144 ms", "adaptation time constant", positive=True),
    "A": Parameter("10 mV", "post-spike threshold increase"),
    "tau_A": Parameter("30 ms", "post-spike threshold relaxation time constant", positive=True),
    "V_spike": Parameter("0 mV", "spike detection potential"),
}

#: Parameter names before the naming convention (docs/naming.md), accepted until the next release.
OLD_NAMES = {"C": "C_m", "gl": "g_L", "Er": "E_L", "Vr": "V_reset", "Vt": "V_th", "DeltaT": "Delta_T",
             "Cm": "c_m", "Rm": "r_m", "Ri": "r_i"}

REFERENCES = (
    "Quaresima A, Fitz H, Duarte R, van den Broek D, Hagoort P, Petersson KM (2023) The Tripod neuron: "
    "a minimal structural reduction of the dendritic tree. J Physiol 601:3265-3295. doi:10.1113/JP283399",
    "Eyal G et al. (2016) Unique membrane properties and enhanced signal processing in human neocortical "
    "neurons. eLife 5:e16553",
    "Jahr CE, Stevens CF (1990) Voltage dependence of NMDA-activated macroscopic conductances predicted "
    "by single-channel kinetics. J Neurosci 10:3178-3182",
)


def ball_and_stick(
    name: str = "ball_and_stick",
    dendrites: Mapping[str, tuple[str, str]] | None = None,
    soma_receptors: Mapping[str, Receptor] = SOMA_RECEPTORS,
    dendrite_receptors: Mapping[str, Receptor] = DENDRITE_RECEPTORS,
    refractory: str = "0.2 ms",
    negative_weights: bool = False,
) -> NeuronModel:
    """A soma with one or more passive dendrites ``{"d": ("160 um", "4 um")}`` (length, diameter).

    Synaptic targets: each receptor per compartment (``AMPA_d``, ``NMDA_d``...) and the
    groups ``glu_<c>`` (AMPA + NMDA) and ``gaba_<c>`` (GABAa + GABAb) for ``c`` in ``s``
    and the dendrite names. Recordable: ``v_s``, ``v_<dendrite>``, ``g_<receptor>_<c>``,
    the synaptic currents ``I_syn_<c>`` and the axial currents ``I_ax_<dendrite>``.

    A weight is a receptor's peak conductance, so the targets take weights >= 0 (a projection with a
    negative one is refused); ``negative_weights=True`` accepts them as Brian2 would, each adding a
    negative conductance.
    """
    if not isinstance(negative_weights, bool):
        raise ConfigError(f"model {name!r}: negative_weights: expected True or False, got {negative_weights!r}")
    dendrites = dict(dendrites) if dendrites is not None else {"d": ("160 um", "4 um")}
    if not dendrites:
        raise ConfigError(f"model {name!r}: give at least one dendrite, e.g. {{'d': ('160 um', '4 um')}}")
    for dendrite, geometry in dendrites.items():
        if not isinstance(geometry, (tuple, list)) or len(geometry) != 2:
            raise ConfigError(f"model {name!r}: dendrite {dendrite!r}: expected a pair (length, diameter) "
                              f"such as ('160 um', '4 um'), got {geometry!r}")
    equations: list[str] = []
    receptors = {"s": soma_receptors, **{d: dendrite_receptors for d in dendrites}}
    blocked = any(getattr(receptor, "nmda", False) for table in receptors.values() for receptor in table.values())
    parameters: dict = {**SOMA, **HUMAN, **(NMDA_BLOCK if blocked else {})}  # the block's only with an NMDA receptor
    synapses: dict[str, str] = {}
    for compartment, table in receptors.items():
        currents = []
        for receptor_name, receptor in table.items():
            eqs, params, current, effect = receptor_equations(receptor_name, compartment, receptor)
            equations += eqs
            parameters.update(params)
            currents.append(current)
            synapses[f"{receptor_name}_{compartment}"] = effect
        for group, members in GROUPS.items():
            present = [synapses[f"{m}_{compartment}"] for m in members if m in table]
            if present:
                synapses[f"{group}_{compartment}"] = "; ".join(present)
        equations.append(f"I_syn_{compartment} = {' + '.join(currents) or '0*amp'} : amp")
    axial = []
    for dendrite, (length, diameter) in dendrites.items():
        eqs, params = dendrite_equations(dendrite, length, diameter)
        equations += eqs
        parameters.update(params)
        equations += [
            f"I_ax_{dendrite} = gax_{dendrite}*(v_s - v_{dendrite}) : amp",
            f"dv_{dendrite}/dt = (gm_{dendrite}*(E_L - v_{dendrite}) - I_syn_{dendrite} + I_ax_{dendrite}"
            f" + I_{dendrite})/C_{dendrite} : volt",
            f"I_{dendrite} : amp",
        ]
        axial.append(f"I_ax_{dendrite}")
    equations += [
        "dv_s/dt = (g_L*(E_L - v_s) + g_L*Delta_T*exp((v_s - theta)/Delta_T) - w_s - I_syn_s"
        f" - ({' + '.join(axial)}) + I_s)/C_m : volt (unless refractory)",
        "dw_s/dt = (a*(v_s - E_L) - w_s)/tau_w : amp",
        "dtheta/dt = (V_th - theta)/tau_A : volt",
        "I_s : amp",
    ]
    names = ", ".join(f"{d} ({length} x {diameter})" for d, (length, diameter) in dendrites.items())
    return NeuronModel(
        name,
        "\n".join(equations),
        parameters,
        threshold="v_s > V_spike",
        reset="v_s = V_reset; w_s += b; theta += A",
        refractory=refractory,
        initial={"v_s": "E_L", "theta": "V_th", **{f"v_{d}": "E_L" for d in dendrites}},
        integrator="euler",
        synapses=synapses,
        non_negative_targets=() if negative_weights else synapses,
        description=(
            f"Ball-and-stick neuron: AdEx soma with a post-spike threshold increase (A, tau_A), coupled to "
            f"passive dendrite(s) {names} by axial conductances computed from geometry (human dendrite "
            "physiology). Double-exponential AMPA, NMDA (magnesium block), GABA-A and GABA-B conductances; "
            "projections target receptors or the groups glu_<compartment> and gaba_<compartment>."
        ),
        aliases=OLD_NAMES,
        references=REFERENCES,
    )

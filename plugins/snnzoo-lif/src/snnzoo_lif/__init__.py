"""Integrate-and-fire neurons for snnzoo: perfect, leaky, conductance-based (single and
double exponential, SpikingNeuralNetworks.jl style), current-based, adaptive threshold.

An snnzoo plugin: the entry point ``lif`` of group ``snnzoo`` names this module.
"""

from importlib.resources import files

from snnzoo import NeuronModel, Parameter, hookimpl

HOOK_API_VERSION = 1
"""The snnzoo hook contract this plugin is written for (checked by the loader)."""

LAPICQUE = "Lapicque L (1907) Recherches quantitatives sur l'excitation electrique des nerfs traitee comme une polarisation. J Physiol Pathol Gen 9:620-635."

#: Parameter names before the naming convention (docs/naming.md), accepted until the next release.
OLD_LIF_NAMES = {"R": "R_m", "EL": "E_L", "Vt": "V_th", "Vr": "V_reset"}
OLD_CONDUCTANCE_NAMES = {"C": "C_m", "gL": "g_L", "EL": "E_L", "Ee": "E_e", "Ei": "E_i", "Vt": "V_th", "Vr": "V_reset"}

LIF = NeuronModel(
    "lif",
    """
    dv/dt = (E_L - v + R_m*I)/tau_m : volt (unless refractory)
    I : amp
    """,
    {
        "tau_m": Parameter("20 ms", "membrane time constant"),
        "R_m": Parameter("0.5 Gohm", "membrane resistance"),
        "E_L": Parameter("-70 mV", "resting potential"),
        "V_th": Parameter("-50 mV", "spike threshold"),
        "V_reset": Parameter("-55 mV", "reset potential"),
    },
    threshold="v > V_th",
    reset="v = V_reset",
    initial={"v": "E_L"},
    description="Leaky integrate-and-fire neuron driven by an input current I (SNN.jl's IF defaults).",
    aliases=OLD_LIF_NAMES,
    references=(LAPICQUE,),
)

PERFECT_IF = NeuronModel(
    "perfect_if",
    """
    dv/dt = I/C_m : volt (unless refractory)
    I : amp
    """,
    {
        "C_m": Parameter("200 pF", "membrane capacitance"),
        "V_th": Parameter("-50 mV", "spike threshold"),
        "V_reset": Parameter("-70 mV", "reset potential"),
    },
    threshold="v > V_th",
    reset="v = V_reset",
    initial={"v": "V_reset"},
    description="Perfect (non-leaky) integrate-and-fire neuron: the membrane integrates I without loss.",
    aliases={"C": "C_m", "Vt": "V_th", "Vr": "V_reset"},
    references=(LAPICQUE,),
)

#: Shared by lif_cond_exp and its current-based counterpart lif_curr_exp, so the two compare like for like.
TWO_CONDUCTANCE_LIF = {
    "C_m": Parameter("200 pF", "membrane capacitance"),
    "g_L": Parameter("10 nS", "leak conductance"),
    "E_L": Parameter("-70 mV", "leak reversal potential"),
    "E_e": Parameter("0 mV", "excitatory reversal potential"),
    "E_i": Parameter("-80 mV", "inhibitory reversal potential"),
    "tau_e": Parameter("5 ms", "excitatory synaptic decay time constant"),
    "tau_i": Parameter("10 ms", "inhibitory synaptic decay time constant"),
    "V_th": Parameter("-50 mV", "spike threshold"),
    "V_reset": Parameter("-60 mV", "reset potential"),
}

LIF_COND_EXP = NeuronModel(
    "lif_cond_exp",
    """
    dv/dt = (g_L*(E_L - v) + ge*(E_e - v) + gi*(E_i - v) + I)/C_m : volt (unless refractory)
    dge/dt = -ge/tau_e : siemens
    dgi/dt = -gi/tau_i : siemens
    I : amp
    """,
    TWO_CONDUCTANCE_LIF,
    threshold="v > V_th",
    reset="v = V_reset",
    refractory="5 ms",
    initial={"v": "E_L"},
    description="Conductance-based leaky integrate-and-fire neuron with exponentially decaying synaptic conductances.",
    aliases=OLD_CONDUCTANCE_NAMES,
    references=(
        "Vogels TP, Abbott LF (2005) Signal propagation and logic gating in networks of integrate-and-fire "
        "neurons. J Neurosci 25:10786-10795. doi:10.1523/JNEUROSCI.3508-05.2005",
    ),
)

LIF_ADAPTIVE_THRESHOLD = NeuronModel(
    "lif_adaptive_threshold",
    """
    dv/dt = (E_L - v + R_m*I)/tau_m : volt (unless refractory)
    dvt/dt = (V_th - vt)/tau_t : volt
    I : amp
    """,
    {
        "tau_m": Parameter("15 ms", "membrane time constant"),
        "tau_t": Parameter("50 ms", "threshold relaxation time constant"),
        "R_m": Parameter("0.5 Gohm", "membrane resistance"),
        "E_L": Parameter("-70 mV", "resting potential"),
        "V_th": Parameter("-50 mV", "resting threshold"),
        "delta_vt": Parameter("8 mV", "threshold increment at each spike"),
        "V_reset": Parameter("-70 mV", "reset potential"),
    },
    threshold="v > vt",
    reset="v = V_reset; vt += delta_vt",
    initial={"v": "E_L", "vt": "V_th"},
    description="Leaky integrate-and-fire neuron whose threshold jumps at each spike and relaxes back.",
    aliases={"R": "R_m", "EL": "E_L", "Vt0": "V_th", "Vr": "V_reset"},
    references=(LAPICQUE,),
)

SNNJL = (
    "SpikingNeuralNetworks.jl (JuliaSNN), https://github.com/JuliaSNN/SpikingNeuralNetworks.jl: "
    "IF neuron (IFParameter, IFParameterSingleExponential) and its documentation tutorial"
)

_SNNJL_MEMBRANE = Parameter("20 ms", "membrane time constant (C_m/g_L)")
_SNNJL_COMMON = {
    "tau_m": _SNNJL_MEMBRANE,
    "R_m": Parameter("25 Mohm", "membrane resistance (1/g_L; SNN.jl's default g_L = 40 nS)"),
    "E_L": Parameter("-60 mV", "leak (resting) potential"),
    "V_th": Parameter("-50 mV", "spike threshold"),
    "V_reset": Parameter("-60 mV", "reset potential"),
    "E_e": Parameter("0 mV", "excitatory reversal potential (SNN.jl E_e)"),
    "E_i": Parameter("-75 mV", "inhibitory reversal potential (SNN.jl E_i)"),
}

LIF_COND_SNNJL = NeuronModel(
    "lif_cond_snnjl",
    """
    dv/dt = ((E_L - v) + R_m*(ge*(E_e - v) + gi*(E_i - v) + I))/tau_m : volt (unless refractory)
    dge/dt = -ge/tau_e : siemens
    dgi/dt = -gi/tau_i : siemens
    I : amp
    """,
    {
        **_SNNJL_COMMON,
        "tau_e": Parameter("6 ms", "decay time constant of the excitatory conductance (SNN.jl τe)"),
        "tau_i": Parameter("2 ms", "decay time constant of the inhibitory conductance (SNN.jl τi)"),
    },
    threshold="v > V_th",
    reset="v = V_reset",
    refractory="2 ms",
    initial={"v": "V_reset + rand()*(V_th - V_reset)"},
    integrator="euler",
    description=(
        "SpikingNeuralNetworks.jl's IF neuron with single-exponential conductances "
        "(IFParameterSingleExponential).\n"
        "tau_m dv/dt = (E_L - v) + R_m*(ge*(E_e - v) + gi*(E_i - v) + I); ge and gi decay with tau_e and "
        "tau_i and are incremented by the synaptic weight (a conductance) at each presynaptic spike "
        "(project onto 'ge' or 'gi'). Absolute refractory period 2 ms (SNN.jl tau_abs), v starts "
        "uniformly between V_reset and V_th as in SNN.jl. Defaults are SNN.jl's (g_L = 40 nS, E_L = V_reset = -60 mV)."
    ),
    aliases={**OLD_LIF_NAMES, "Ee": "E_e", "Ei": "E_i"},
    references=(SNNJL, LAPICQUE),
)

LIF_COND_EXP2_SNNJL = NeuronModel(
    "lif_cond_exp2_snnjl",
    """
    dv/dt = ((E_L - v) + R_m*(ge*(E_e - v) + gi*(E_i - v) + I))/tau_m : volt (unless refractory)
    dge/dt = he - ge/tau_de : siemens
    dhe/dt = -he/tau_re : siemens/second
    dgi/dt = hi - gi/tau_di : siemens
    dhi/dt = -hi/tau_ri : siemens/second
    I : amp
    """,
    {
        **_SNNJL_COMMON,
        "E_L": Parameter("-70 mV", "leak (resting) potential (SNN.jl IFParameter default)"),
        "tau_re": Parameter("1 ms", "rise time constant of the excitatory conductance (SNN.jl τre)"),
        "tau_de": Parameter("6 ms", "decay time constant of the excitatory conductance (SNN.jl τde)"),
        "tau_ri": Parameter("0.5 ms", "rise time constant of the inhibitory conductance (SNN.jl τri)"),
        "tau_di": Parameter("2 ms", "decay time constant of the inhibitory conductance (SNN.jl τdi)"),
    },
    threshold="v > V_th",
    reset="v = V_reset",
    refractory="2 ms",
    initial={"v": "V_reset + rand()*(V_th - V_reset)"},
    integrator="euler",
    description=(
        "SpikingNeuralNetworks.jl's IF neuron with its default double-exponential conductances (IFParameter).\n"
        "tau_m dv/dt = (E_L - v) + R_m*(ge*(E_e - v) + gi*(E_i - v) + I); dge/dt = he - ge/tau_de, "
        "dhe/dt = -he/tau_re (same for gi, hi). A presynaptic spike increments he (or hi), as SNN.jl "
        "does for a synapse onto :ge (:gi). SNN.jl works in ms and nS, so its weight mu (nS) is an "
        "increment of mu nS/ms: project onto 'he'/'hi' with weights in nS/ms. One spike then gives a "
        "conductance of integral mu*tau_r*tau_d/ms (6 nS*ms per nS of weight for excitation, 1 nS*ms "
        "for inhibition at the defaults), peaking at about 0.7 mu (exc.) and 0.5 mu (inh.)."
    ),
    aliases={**OLD_LIF_NAMES, "Ee": "E_e", "Ei": "E_i"},
    references=(SNNJL, LAPICQUE),
)

LIF_CURR_EXP = NeuronModel(
    "lif_curr_exp",
    """
    dv/dt = (g_L*(E_L - v) + ge*(E_e - E_L) + gi*(E_i - E_L) + I)/C_m : volt (unless refractory)
    dge/dt = -ge/tau_e : siemens
    dgi/dt = -gi/tau_i : siemens
    I : amp
    """,
    {
        **TWO_CONDUCTANCE_LIF,
        "E_e": Parameter("0 mV", "excitatory reversal potential, used only to scale the current (E_e - E_L)"),
        "E_i": Parameter("-80 mV", "inhibitory reversal potential, used only to scale the current (E_i - E_L)"),
    },
    threshold="v > V_th",
    reset="v = V_reset",
    refractory="5 ms",
    initial={"v": "E_L"},
    description=(
        "Current-based counterpart of lif_cond_exp: synaptic currents g*(E - E_L), independent of v.\n"
        "The same parameters and exponentially decaying synaptic variables ge, gi as lif_cond_exp, but the synaptic currents are ge*(E_e - E_L) and gi*(E_i - E_L), fixed "
        "at the driving force of rest, so they do not depend on the membrane potential (the Brian2 "
        "lab's definition of current-based synapses). A weight of w nS is a current jump of "
        "w*(E_e - E_L) (e.g. 1 nS -> 70 pA at the defaults) decaying with tau_e."
    ),
    aliases=OLD_CONDUCTANCE_NAMES,
    references=(
        LAPICQUE,
        "Brette R et al. (2007) Simulation of networks of spiking neurons: a review of tools and strategies. "
        "J Comput Neurosci 23:349-398. doi:10.1007/s10827-007-0038-6 (COBA and CUBA benchmarks)",
    ),
)


@hookimpl
def snnzoo_register_models(registry) -> None:
    """Register the integrate-and-fire family."""
    for model in (LIF, PERFECT_IF, LIF_COND_EXP, LIF_ADAPTIVE_THRESHOLD, LIF_COND_SNNJL, LIF_COND_EXP2_SNNJL,
                  LIF_CURR_EXP):
        registry.add_model(model)


@hookimpl
def snnzoo_register_catalog(registry) -> None:
    """Register the integrate-and-fire experiments."""
    registry.add_catalog(files(__package__) / "catalog")

"""Integrate-and-fire neurons for snnzoo: perfect, leaky, conductance-based (single and
double exponential, SpikingNeuralNetworks.jl style), current-based, adaptive threshold.

An snnzoo plugin: the entry point ``lif`` of group ``snnzoo`` names this module.
"""

from importlib.resources import files

from snnzoo import NeuronModel, Parameter, hookimpl

HOOK_API_VERSION = 1
"""The snnzoo hook contract this plugin is written for (checked by the loader)."""

LAPICQUE = "Lapicque L (1907) Recherches quantitatives sur l'excitation electrique des nerfs traitee comme une polarisation. J Physiol Pathol Gen 9:620-635."

LIF = NeuronModel(
    "lif",
    """
    dv/dt = (EL - v + R*I)/tau_m : volt (unless refractory)
    I : amp
    """,
    {
        "tau_m": Parameter("20 ms", "membrane time constant"),
        "R": Parameter("0.5 Gohm", "membrane resistance"),
        "EL": Parameter("-70 mV", "resting potential"),
        "Vt": Parameter("-50 mV", "spike threshold"),
        "Vr": Parameter("-55 mV", "reset potential"),
    },
    threshold="v > Vt",
    reset="v = Vr",
    initial={"v": "EL"},
    description="Leaky integrate-and-fire neuron driven by an input current I (SNN.jl's IF defaults).",
    references=(LAPICQUE,),
)

PERFECT_IF = NeuronModel(
    "perfect_if",
    """
    dv/dt = I/C : volt (unless refractory)
    I : amp
    """,
    {
        "C": Parameter("200 pF", "membrane capacitance"),
        "Vt": Parameter("-50 mV", "spike threshold"),
        "Vr": Parameter("-70 mV", "reset potential"),
    },
    threshold="v > Vt",
    reset="v = Vr",
    initial={"v": "Vr"},
    description="Perfect (non-leaky) integrate-and-fire neuron: the membrane integrates I without loss.",
    references=(LAPICQUE,),
)

#: Shared by lif_cond_exp and its current-based counterpart lif_curr_exp, so the two compare like for like.
TWO_CONDUCTANCE_LIF = {
    "C": Parameter("200 pF", "membrane capacitance"),
    "gL": Parameter("10 nS", "leak conductance"),
    "EL": Parameter("-70 mV", "leak reversal potential"),
    "Ee": Parameter("0 mV", "excitatory reversal potential"),
    "Ei": Parameter("-80 mV", "inhibitory reversal potential"),
    "tau_e": Parameter("5 ms", "excitatory synaptic decay time constant"),
    "tau_i": Parameter("10 ms", "inhibitory synaptic decay time constant"),
    "Vt": Parameter("-50 mV", "spike threshold"),
    "Vr": Parameter("-60 mV", "reset potential"),
}

LIF_COND_EXP = NeuronModel(
    "lif_cond_exp",
    """
    dv/dt = (gL*(EL - v) + ge*(Ee - v) + gi*(Ei - v) + I)/C : volt (unless refractory)
    dge/dt = -ge/tau_e : siemens
    dgi/dt = -gi/tau_i : siemens
    I : amp
    """,
    TWO_CONDUCTANCE_LIF,
    threshold="v > Vt",
    reset="v = Vr",
    refractory="5 ms",
    initial={"v": "EL"},
    description="Conductance-based leaky integrate-and-fire neuron with exponentially decaying synaptic conductances.",
    references=(
        "Vogels TP, Abbott LF (2005) Signal propagation and logic gating in networks of integrate-and-fire "
        "neurons. J Neurosci 25:10786-10795. doi:10.1523/JNEUROSCI.3508-05.2005",
    ),
)

LIF_ADAPTIVE_THRESHOLD = NeuronModel(
    "lif_adaptive_threshold",
    """
    dv/dt = (EL - v + R*I)/tau_m : volt (unless refractory)
    dvt/dt = (Vt0 - vt)/tau_t : volt
    I : amp
    """,
    {
        "tau_m": Parameter("15 ms", "membrane time constant"),
        "tau_t": Parameter("50 ms", "threshold relaxation time constant"),
        "R": Parameter("0.5 Gohm", "membrane resistance"),
        "EL": Parameter("-70 mV", "resting potential"),
        "Vt0": Parameter("-50 mV", "resting threshold"),
        "delta_vt": Parameter("8 mV", "threshold increment at each spike"),
        "Vr": Parameter("-70 mV", "reset potential"),
    },
    threshold="v > vt",
    reset="v = Vr; vt += delta_vt",
    initial={"v": "EL", "vt": "Vt0"},
    description="Leaky integrate-and-fire neuron whose threshold jumps at each spike and relaxes back.",
    references=(LAPICQUE,),
)

SNNJL = (
    "SpikingNeuralNetworks.jl (JuliaSNN), https://github.com/JuliaSNN/SpikingNeuralNetworks.jl: "
    "IF neuron (IFParameter, IFParameterSingleExponential) and its documentation tutorial"
)

_SNNJL_MEMBRANE = Parameter("20 ms", "membrane time constant (C/gL)")
_SNNJL_COMMON = {
    "tau_m": _SNNJL_MEMBRANE,
    "R": Parameter("25 Mohm", "membrane resistance (1/gL; SNN.jl's default gL = 40 nS)"),
    "EL": Parameter("-60 mV", "leak (resting) potential"),
    "Vt": Parameter("-50 mV", "spike threshold"),
    "Vr": Parameter("-60 mV", "reset potential"),
    "Ee": Parameter("0 mV", "excitatory reversal potential (SNN.jl E_e)"),
    "Ei": Parameter("-75 mV", "inhibitory reversal potential (SNN.jl E_i)"),
}

LIF_COND_SNNJL = NeuronModel(
    "lif_cond_snnjl",
    """
    dv/dt = ((EL - v) + R*(ge*(Ee - v) + gi*(Ei - v) + I))/tau_m : volt (unless refractory)
    dge/dt = -ge/tau_e : siemens
    dgi/dt = -gi/tau_i : siemens
    I : amp
    """,
    {
        **_SNNJL_COMMON,
        "tau_e": Parameter("6 ms", "decay time constant of the excitatory conductance (SNN.jl τe)"),
        "tau_i": Parameter("2 ms", "decay time constant of the inhibitory conductance (SNN.jl τi)"),
    },
    threshold="v > Vt",
    reset="v = Vr",
    refractory="2 ms",
    initial={"v": "Vr + rand()*(Vt - Vr)"},
    integrator="euler",
    description=(
        "SpikingNeuralNetworks.jl's IF neuron with single-exponential conductances "
        "(IFParameterSingleExponential).\n"
        "tau_m dv/dt = (EL - v) + R*(ge*(Ee - v) + gi*(Ei - v) + I); ge and gi decay with tau_e and "
        "tau_i and are incremented by the synaptic weight (a conductance) at each presynaptic spike "
        "(project onto 'ge' or 'gi'). Absolute refractory period 2 ms (SNN.jl tau_abs), v starts "
        "uniformly between Vr and Vt as in SNN.jl. Defaults are SNN.jl's (gL = 40 nS, El = Vr = -60 mV)."
    ),
    references=(SNNJL, LAPICQUE),
)

LIF_COND_EXP2_SNNJL = NeuronModel(
    "lif_cond_exp2_snnjl",
    """
    dv/dt = ((EL - v) + R*(ge*(Ee - v) + gi*(Ei - v) + I))/tau_m : volt (unless refractory)
    dge/dt = he - ge/tau_de : siemens
    dhe/dt = -he/tau_re : siemens/second
    dgi/dt = hi - gi/tau_di : siemens
    dhi/dt = -hi/tau_ri : siemens/second
    I : amp
    """,
    {
        **_SNNJL_COMMON,
        "EL": Parameter("-70 mV", "leak (resting) potential (SNN.jl IFParameter default)"),
        "tau_re": Parameter("1 ms", "rise time constant of the excitatory conductance (SNN.jl τre)"),
        "tau_de": Parameter("6 ms", "decay time constant of the excitatory conductance (SNN.jl τde)"),
        "tau_ri": Parameter("0.5 ms", "rise time constant of the inhibitory conductance (SNN.jl τri)"),
        "tau_di": Parameter("2 ms", "decay time constant of the inhibitory conductance (SNN.jl τdi)"),
    },
    threshold="v > Vt",
    reset="v = Vr",
    refractory="2 ms",
    initial={"v": "Vr + rand()*(Vt - Vr)"},
    integrator="euler",
    description=(
        "SpikingNeuralNetworks.jl's IF neuron with its default double-exponential conductances (IFParameter).\n"
        "tau_m dv/dt = (EL - v) + R*(ge*(Ee - v) + gi*(Ei - v) + I); dge/dt = he - ge/tau_de, "
        "dhe/dt = -he/tau_re (same for gi, hi). A presynaptic spike increments he (or hi), as SNN.jl "
        "does for a synapse onto :ge (:gi). SNN.jl works in ms and nS, so its weight mu (nS) is an "
        "increment of mu nS/ms: project onto 'he'/'hi' with weights in nS/ms. One spike then gives a "
        "conductance of integral mu*tau_r*tau_d/ms (6 nS*ms per nS of weight for excitation, 1 nS*ms "
        "for inhibition at the defaults), peaking at about 0.7 mu (exc.) and 0.5 mu (inh.)."
    ),
    references=(SNNJL, LAPICQUE),
)

LIF_CURR_EXP = NeuronModel(
    "lif_curr_exp",
    """
    dv/dt = (gL*(EL - v) + ge*(Ee - EL) + gi*(Ei - EL) + I)/C : volt (unless refractory)
    dge/dt = -ge/tau_e : siemens
    dgi/dt = -gi/tau_i : siemens
    I : amp
    """,
    {
        **TWO_CONDUCTANCE_LIF,
        "Ee": Parameter("0 mV", "excitatory reversal potential, used only to scale the current (Ee - EL)"),
        "Ei": Parameter("-80 mV", "inhibitory reversal potential, used only to scale the current (Ei - EL)"),
    },
    threshold="v > Vt",
    reset="v = Vr",
    refractory="5 ms",
    initial={"v": "EL"},
    description=(
        "Current-based counterpart of lif_cond_exp: synaptic currents g*(E - EL), independent of v.\n"
        "The same parameters and exponentially decaying synaptic variables ge, gi as lif_cond_exp, but the synaptic currents are ge*(Ee - EL) and gi*(Ei - EL), fixed "
        "at the driving force of rest, so they do not depend on the membrane potential (the Brian2 "
        "lab's definition of current-based synapses). A weight of w nS is a current jump of "
        "w*(Ee - EL) (e.g. 1 nS -> 70 pA at the defaults) decaying with tau_e."
    ),
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

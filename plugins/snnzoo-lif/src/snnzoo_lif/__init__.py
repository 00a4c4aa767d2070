"""Integrate-and-fire neurons for snnzoo: perfect, leaky, conductance-based, adaptive threshold.

An snnzoo plugin: the entry point ``lif`` of group ``snnzoo`` names this module.
"""

from importlib.resources import files

from snnzoo import NeuronModel, Parameter, hookimpl

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

LIF_COND_EXP = NeuronModel(
    "lif_cond_exp",
    """
    dv/dt = (gL*(EL - v) + ge*(Ee - v) + gi*(Ei - v) + I)/C : volt (unless refractory)
    dge/dt = -ge/tau_e : siemens
    dgi/dt = -gi/tau_i : siemens
    I : amp
    """,
    {
        "C": Parameter("200 pF", "membrane capacitance"),
        "gL": Parameter("10 nS", "leak conductance"),
        "EL": Parameter("-70 mV", "leak reversal potential"),
        "Ee": Parameter("0 mV", "excitatory reversal potential"),
        "Ei": Parameter("-80 mV", "inhibitory reversal potential"),
        "tau_e": Parameter("5 ms", "excitatory conductance decay"),
        "tau_i": Parameter("10 ms", "inhibitory conductance decay"),
        "Vt": Parameter("-50 mV", "spike threshold"),
        "Vr": Parameter("-60 mV", "reset potential"),
    },
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


@hookimpl
def snnzoo_register_models(registry) -> None:
    """Register the integrate-and-fire family."""
    for model in (LIF, PERFECT_IF, LIF_COND_EXP, LIF_ADAPTIVE_THRESHOLD):
        registry.add_model(model)


@hookimpl
def snnzoo_register_catalog(registry) -> None:
    """Register the integrate-and-fire experiments."""
    registry.add_catalog(files(__package__) / "catalog")

"""The adaptive exponential integrate-and-fire neuron (Brette and Gerstner 2005) for snnzoo.

An snnzoo plugin: the entry point ``adex`` of group ``snnzoo`` names this module.
It registers two parametrisations of the same model, a conductance-based AdEx with
white current noise for networks, the firing-pattern experiments of Naud et al. (2008)
and the COBA AdEx network.
"""

from importlib.resources import files

from snnzoo import NeuronModel, Parameter, hookimpl

HOOK_API_VERSION = 1
"""The snnzoo hook contract this plugin is written for (checked by the loader)."""

REFERENCES = (
    "Brette R, Gerstner W (2005) Adaptive exponential integrate-and-fire model as an effective "
    "description of neuronal activity. J Neurophysiol 94:3637-3642. doi:10.1152/jn.00686.2005",
    "Naud R, Marcille N, Clopath C, Gerstner W (2008) Firing patterns in the adaptive exponential "
    "integrate-and-fire model. Biol Cybern 99:335-347. doi:10.1007/s00422-008-0264-7",
)

ADEX = NeuronModel(
    "adex",
    """
    dv/dt = (-gL*(v - EL) + gL*DeltaT*exp((v - VT)/DeltaT) + I - w)/C : volt (unless refractory)
    dw/dt = (a*(v - EL) - w)/tau_w : amp
    I : amp
    """,
    {
        "C": Parameter("200 pF", "membrane capacitance"),
        "gL": Parameter("10 nS", "leak conductance"),
        "EL": Parameter("-70 mV", "leak reversal potential"),
        "VT": Parameter("-50 mV", "threshold slope factor centre (rheobase potential)"),
        "DeltaT": Parameter("2 mV", "slope factor of the exponential"),
        "a": Parameter("2 nS", "subthreshold adaptation conductance"),
        "tau_w": Parameter("30 ms", "adaptation time constant"),
        "b": Parameter("0 pA", "spike-triggered adaptation increment"),
        "Vr": Parameter("-58 mV", "reset potential"),
        "Vcut": Parameter("0 mV", "spike detection threshold"),
    },
    threshold="v >= Vcut",
    reset="v = Vr; w += b",
    refractory="2 ms",
    initial={"v": "EL"},
    integrator="euler",
    description=(
        "Adaptive exponential integrate-and-fire neuron, conductance parametrisation (C, gL).\n"
        "Defaults are the 'tonic spiking' cell of Naud et al. (2008); input current I is a variable "
        "that stimuli drive."
    ),
    references=REFERENCES,
)

ADEX_TAU = NeuronModel(
    "adex_tau",
    """
    dv/dt = (-(v - El) + DeltaT*exp((v - Vt)/DeltaT) + R*(I - w))/tau_m : volt (unless refractory)
    dw/dt = (a*(v - El) - w)/tau_w : amp
    I : amp
    """,
    {
        "tau_m": Parameter("7.025 ms", "membrane time constant (C/gL)"),
        "R": Parameter("0.025 Gohm", "membrane resistance (1/gL)"),
        "El": Parameter("-70.6 mV", "resting potential"),
        "Vt": Parameter("-50 mV", "exponential threshold"),
        "DeltaT": Parameter("2 mV", "slope factor"),
        "a": Parameter("4 nS", "subthreshold adaptation"),
        "tau_w": Parameter("144 ms", "adaptation time constant"),
        "b": Parameter("80.5 pA", "spike-triggered adaptation increment"),
        "Vr": Parameter("-70.6 mV", "reset potential"),
        "Vspike": Parameter("20 mV", "spike detection threshold"),
    },
    threshold="v > Vspike",
    reset="v = Vr; w += b",
    refractory="1 ms",
    initial={"v": "El"},
    integrator="euler",
    description=(
        "Adaptive exponential integrate-and-fire neuron, time-constant parametrisation (tau_m, R),\n"
        "as in SpikingNeuralNetworks.jl's AdEx. Defaults: Brette and Gerstner (2005)."
    ),
    references=REFERENCES[:1],
)

ADEX_COND = NeuronModel(
    "adex_cond",
    """
    dv/dt = (gL*(EL - v) + gL*DeltaT*exp((v - VT)/DeltaT) + ge*(Ee - v) + gi*(Ei - v) - w + I + sigma*xi)/C : volt (unless refractory)
    dw/dt = (a*(v - EL) - w)/tau_w : amp
    dge/dt = -ge/tau_g : siemens
    dgi/dt = -gi/tau_g : siemens
    I : amp
    """,
    {
        "C": Parameter("104 pF", "membrane capacitance"),
        "gL": Parameter("4.3 nS", "leak conductance"),
        "EL": Parameter("-65 mV", "leak reversal potential"),
        "VT": Parameter("-52 mV", "threshold slope factor centre (rheobase potential)"),
        "DeltaT": Parameter("0.8 mV", "slope factor of the exponential"),
        "a": Parameter("-0.8 nS", "subthreshold adaptation conductance"),
        "tau_w": Parameter("88 ms", "adaptation time constant"),
        "b": Parameter("65 pA", "spike-triggered adaptation increment"),
        "Vr": Parameter("-53 mV", "reset potential"),
        "Vs": Parameter("40 mV", "spike detection threshold (v > Vs)"),
        "Ee": Parameter("0 mV", "excitatory reversal potential"),
        "Ei": Parameter("-80 mV", "inhibitory reversal potential"),
        "tau_g": Parameter("7 ms", "decay time constant of both synaptic conductances"),
        "sigma": Parameter("8 pA*second**0.5", "strength of the white-noise current sigma*xi (Brian2 Iext)"),
    },
    threshold="v > Vs",
    reset="v = Vr; w += b",
    initial={"v": "EL"},
    integrator="euler",
    description=(
        "Conductance-based (COBA) adaptive exponential integrate-and-fire neuron with a white-noise current.\n"
        "C dv/dt = gL(EL - v) + gL DeltaT exp((v - VT)/DeltaT) + ge(Ee - v) + gi(Ei - v) - w + I + sigma xi; "
        "ge and gi decay with tau_g and are incremented by synaptic weights (project onto 'ge'/'gi'). "
        "xi is Gaussian white noise (s^-1/2), integrated by Euler-Maruyama as in Brian2: each step adds "
        "sigma/C*sqrt(dt)*N(0, 1) to v (8 pA*sqrt(s) = 800 pA*N(0, 1) per 0.1 ms step). No refractory period "
        "by default. Defaults: the cortical regular-spiking cell (Naud et al. 2008 parameters) of the "
        "Brian2 COBA AdEx network notebook (T. Fiers, 2024-07-01 'AdExNet-Brian')."
    ),
    references=REFERENCES + (
        "Fiers T (2024) AdExNet-Brian notebook, https://github.com/tfiers/phd (2024-07-01__AdExNet-Brian)",
    ),
)


@hookimpl
def snnzoo_register_models(registry) -> None:
    """Register ``adex``, ``adex_tau`` and ``adex_cond``."""
    registry.add_model(ADEX)
    registry.add_model(ADEX_TAU)
    registry.add_model(ADEX_COND)


@hookimpl
def snnzoo_register_catalog(registry) -> None:
    """Register the firing-pattern and AdEx network experiments."""
    registry.add_catalog(files(__package__) / "catalog")

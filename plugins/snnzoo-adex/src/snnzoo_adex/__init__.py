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

#: Parameter names before the naming convention (docs/naming.md), accepted until the next release.
OLD_CONDUCTANCE_NAMES = {"C": "C_m", "gL": "g_L", "EL": "E_L", "VT": "V_th", "DeltaT": "Delta_T", "Vr": "V_reset"}


def _pattern(C_m: float, g_L: float, E_L: float, a: float, tau_w: float, b: float, V_reset: float) -> dict[str, str]:
    """One firing pattern of Naud et al. (2008), Table 1 (pF, nS, mV, nS, ms, pA, mV)."""
    return {"C_m": f"{C_m} pF", "g_L": f"{g_L} nS", "E_L": f"{E_L} mV", "a": f"{a} nS", "tau_w": f"{tau_w} ms",
            "b": f"{b} pA", "V_reset": f"{V_reset} mV"}


#: The eight firing patterns of Naud et al. (2008) as presets of ``adex`` (V_th -50 mV, Delta_T 2 mV for all).
#: The step currents that show them: 500, 500, 400, 210, 300, 110, 350 and 160 pA.
NAUD_2008 = {
    "tonic_spiking": _pattern(200, 10, -70, 2, 30, 0, -58),
    "adaptation": _pattern(200, 12, -70, 2, 300, 60, -58),
    "initial_burst": _pattern(130, 18, -58, 4, 150, 120, -50),
    "regular_bursting": _pattern(200, 10, -58, 2, 120, 100, -46),
    "irregular_spiking": _pattern(200, 12, -70, -10, 300, 0, -58),
    "transient_spiking": _pattern(200, 12, -70, -6, 300, 0, -58),
    "delayed_accelerating": _pattern(100, 10, -65, -10, 90, 30, -47),
    "delayed_regular_bursting": _pattern(100, 12, -60, -11, 130, 30, -48),
}

ADEX = NeuronModel(
    "adex",
    """
    dv/dt = (-g_L*(v - E_L) + g_L*Delta_T*exp((v - V_th)/Delta_T) + I - w)/C_m : volt (unless refractory)
    dw/dt = (a*(v - E_L) - w)/tau_w : amp
    I : amp
    """,
    {
        "C_m": Parameter("200 pF", "membrane capacitance"),
        "g_L": Parameter("10 nS", "leak conductance"),
        "E_L": Parameter("-70 mV", "leak reversal potential"),
        "V_th": Parameter("-50 mV", "threshold slope factor centre (rheobase potential)"),
        "Delta_T": Parameter("2 mV", "slope factor of the exponential"),
        "a": Parameter("2 nS", "subthreshold adaptation conductance"),
        "tau_w": Parameter("30 ms", "adaptation time constant"),
        "b": Parameter("0 pA", "spike-triggered adaptation increment"),
        "V_reset": Parameter("-58 mV", "reset potential"),
        "V_spike": Parameter("0 mV", "spike detection threshold"),
    },
    threshold="v >= V_spike",
    reset="v = V_reset; w += b",
    refractory="2 ms",
    initial={"v": "E_L"},
    integrator="euler",
    description=(
        "Adaptive exponential integrate-and-fire neuron, conductance parametrisation (C_m, g_L).\n"
        "Defaults are the 'tonic spiking' cell of Naud et al. (2008); input current I is a variable "
        "that stimuli drive."
    ),
    aliases={**OLD_CONDUCTANCE_NAMES, "Vcut": "V_spike"},
    presets=NAUD_2008,
    references=REFERENCES,
)

ADEX_TAU = NeuronModel(
    "adex_tau",
    """
    dv/dt = (-(v - E_L) + Delta_T*exp((v - V_th)/Delta_T) + R_m*(I - w))/tau_m : volt (unless refractory)
    dw/dt = (a*(v - E_L) - w)/tau_w : amp
    I : amp
    """,
    {
        "tau_m": Parameter("7.025 ms", "membrane time constant (C_m/g_L)"),
        "R_m": Parameter("0.025 Gohm", "membrane resistance (1/g_L)"),
        "E_L": Parameter("-70.6 mV", "resting potential"),
        "V_th": Parameter("-50 mV", "exponential threshold"),
        "Delta_T": Parameter("2 mV", "slope factor"),
        "a": Parameter("4 nS", "subthreshold adaptation"),
        "tau_w": Parameter("144 ms", "adaptation time constant"),
        "b": Parameter("80.5 pA", "spike-triggered adaptation increment"),
        "V_reset": Parameter("-70.6 mV", "reset potential"),
        "V_spike": Parameter("20 mV", "spike detection threshold"),
    },
    threshold="v > V_spike",
    reset="v = V_reset; w += b",
    refractory="1 ms",
    initial={"v": "E_L"},
    integrator="euler",
    description=(
        "Adaptive exponential integrate-and-fire neuron, time-constant parametrisation (tau_m, R_m).\n"
        "The form of SpikingNeuralNetworks.jl's AdEx. Defaults: Brette and Gerstner (2005)."
    ),
    aliases={"R": "R_m", "El": "E_L", "Vt": "V_th", "DeltaT": "Delta_T", "Vr": "V_reset", "Vspike": "V_spike"},
    references=REFERENCES[:1],
)

ADEX_COND = NeuronModel(
    "adex_cond",
    """
    dv/dt = (g_L*(E_L - v) + g_L*Delta_T*exp((v - V_th)/Delta_T) + ge*(E_e - v) + gi*(E_i - v) - w + I + sigma*xi)/C_m : volt (unless refractory)
    dw/dt = (a*(v - E_L) - w)/tau_w : amp
    dge/dt = -ge/tau_g : siemens
    dgi/dt = -gi/tau_g : siemens
    I : amp
    """,
    {
        "C_m": Parameter("104 pF", "membrane capacitance"),
        "g_L": Parameter("4.3 nS", "leak conductance"),
        "E_L": Parameter("-65 mV", "leak reversal potential"),
        "V_th": Parameter("-52 mV", "threshold slope factor centre (rheobase potential)"),
        "Delta_T": Parameter("0.8 mV", "slope factor of the exponential"),
        "a": Parameter("-0.8 nS", "subthreshold adaptation conductance"),
        "tau_w": Parameter("88 ms", "adaptation time constant"),
        "b": Parameter("65 pA", "spike-triggered adaptation increment"),
        "V_reset": Parameter("-53 mV", "reset potential"),
        "V_spike": Parameter("40 mV", "spike detection threshold (v > V_spike)"),
        "E_e": Parameter("0 mV", "excitatory reversal potential"),
        "E_i": Parameter("-80 mV", "inhibitory reversal potential"),
        "tau_g": Parameter("7 ms", "decay time constant of both synaptic conductances"),
        "sigma": Parameter("8 pA*second**0.5", "strength of the white-noise current sigma*xi (Brian2 Iext)"),
    },
    threshold="v > V_spike",
    reset="v = V_reset; w += b",
    initial={"v": "E_L"},
    integrator="euler",
    description=(
        "Conductance-based (COBA) adaptive exponential integrate-and-fire neuron with a white-noise current.\n"
        "C_m dv/dt = g_L(E_L - v) + g_L Delta_T exp((v - V_th)/Delta_T) + ge(E_e - v) + gi(E_i - v) - w + I + sigma xi; "
        "ge and gi decay with tau_g and are incremented by synaptic weights (project onto 'ge'/'gi'). "
        "xi is Gaussian white noise (s^-1/2), integrated by Euler-Maruyama as in Brian2: each step adds "
        "sigma/C_m*sqrt(dt)*N(0, 1) to v (8 pA*sqrt(s) = 800 pA*N(0, 1) per 0.1 ms step). No refractory period "
        "by default. Defaults: the cortical regular-spiking cell (Naud et al. 2008 parameters) of the "
        "Brian2 COBA AdEx network notebook (T. Fiers, 2024-07-01 'AdExNet-Brian')."
    ),
    aliases={**OLD_CONDUCTANCE_NAMES, "Vs": "V_spike", "Ee": "E_e", "Ei": "E_i"},
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

"""The adaptive exponential integrate-and-fire neuron (Brette and Gerstner 2005) for snnzoo.

An snnzoo plugin: the entry point ``adex`` of group ``snnzoo`` names this module.
It registers two parametrisations of the same model and the firing-pattern
experiments of Naud et al. (2008).
"""

from importlib.resources import files

from snnzoo import NeuronModel, Parameter, hookimpl

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


@hookimpl
def snnzoo_register_models(registry) -> None:
    """Register ``adex`` and ``adex_tau``."""
    registry.add_model(ADEX)
    registry.add_model(ADEX_TAU)


@hookimpl
def snnzoo_register_catalog(registry) -> None:
    """Register the firing-pattern experiments."""
    registry.add_catalog(files(__package__) / "catalog")

"""Hodgkin–Huxley type neurons for snnzoo (Traub and Miles 1991, as in Brian2's examples).

An snnzoo plugin: the entry point ``hh`` of group ``snnzoo`` names this module.
"""

from importlib.resources import files

from snnzoo import NeuronModel, Parameter, hookimpl

HOOK_API_VERSION = 1
"""The snnzoo hook contract this plugin is written for (checked by the loader)."""

HH_TRAUB = NeuronModel(
    "hh_traub",
    """
    dv/dt = (g_L*(E_L - v) - g_na*(m*m*m)*h*(v - E_Na) - g_kd*(n*n*n*n)*(v - E_K) + I)/C_m : volt
    dm/dt = 0.32*(mV**-1)*4*mV/exprel((13*mV - v + VT)/(4*mV))/ms*(1 - m) - 0.28*(mV**-1)*5*mV/exprel((v - VT - 40*mV)/(5*mV))/ms*m : 1
    dn/dt = 0.032*(mV**-1)*5*mV/exprel((15*mV - v + VT)/(5*mV))/ms*(1 - n) - 0.5*exp((10*mV - v + VT)/(40*mV))/ms*n : 1
    dh/dt = 0.128*exp((17*mV - v + VT)/(18*mV))/ms*(1 - h) - 4/(1 + exp((40*mV - v + VT)/(5*mV)))/ms*h : 1
    I : amp
    """,
    {
        "C_m": Parameter("200 pF", "membrane capacitance (1 uF/cm2 x 20000 um2)"),
        "g_L": Parameter("10 nS", "leak conductance (5e-5 S/cm2 x area)"),
        "g_na": Parameter("20 uS", "maximal sodium conductance (100 mS/cm2 x area)"),
        "g_kd": Parameter("6 uS", "maximal delayed-rectifier potassium conductance (30 mS/cm2 x area)"),
        "E_L": Parameter("-65 mV", "leak reversal potential"),
        "E_K": Parameter("-90 mV", "potassium reversal potential"),
        "E_Na": Parameter("50 mV", "sodium reversal potential"),
        "VT": Parameter("-63 mV", "offset of the rate functions"),
        "V_spike": Parameter("-20 mV", "spike detection threshold (counting only)"),
    },
    threshold="v > V_spike",
    refractory="3 ms",
    initial={"v": "E_L"},
    integrator="exponential_euler",
    description=(
        "Hodgkin-Huxley neuron with Traub-Miles sodium and potassium kinetics (Brian2's HH example).\n"
        "The threshold and refractory period only count spikes; they do not clamp v."
    ),
    aliases={"Cm": "C_m", "gl": "g_L", "El": "E_L", "EK": "E_K", "ENa": "E_Na", "Vthr": "V_spike"},
    references=(
        "Traub RD, Miles R (1991) Neuronal Networks of the Hippocampus. Cambridge University Press.",
        "Brette R et al. (2007) Simulation of networks of spiking neurons: a review of tools and "
        "strategies. J Comput Neurosci 23:349-398. doi:10.1007/s10827-007-0038-6",
    ),
)


@hookimpl
def snnzoo_register_models(registry) -> None:
    """Register ``hh_traub``."""
    registry.add_model(HH_TRAUB)


@hookimpl
def snnzoo_register_catalog(registry) -> None:
    """Register the HH experiments."""
    registry.add_catalog(files(__package__) / "catalog")

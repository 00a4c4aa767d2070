"""Synapse models for snnzoo: spike-timing-dependent plasticity (pair, nearest-spike, triplet,
inhibitory), Tsodyks-Markram short-term plasticity and a saturating NMDA synapse; plus the
neuron of Song, Miller & Abbott (2000) that the STDP experiments drive.

An snnzoo plugin: the entry point ``plasticity`` of group ``snnzoo`` names this module.
Excitatory synapses write the postsynaptic ``ge``, inhibitory ones ``gi`` (as the
conductance-based models of ``snnzoo-lif`` name them); the NMDA synapse sums into ``g_nmda``.
"""

from importlib.resources import files

from snnzoo import NeuronModel, Parameter, SynapseModel, hookimpl

HOOK_API_VERSION = 1
"""The snnzoo hook contract this plugin is written for (checked by the loader)."""

SONG_2000 = ("Song S, Miller KD, Abbott LF (2000) Competitive Hebbian learning through spike-timing-dependent "
             "synaptic plasticity. Nat Neurosci 3:919-926.")
PFISTER_2006 = ("Pfister JP, Gerstner W (2006) Triplets of spikes in a model of spike timing-dependent "
                "plasticity. J Neurosci 26:9673-9682.")
VOGELS_2011 = ("Vogels TP, Sprekeler H, Zenke F, Clopath C, Gerstner W (2011) Inhibitory plasticity balances "
               "excitation and inhibition in sensory pathways and memory networks. Science 334:1569-1573.")
MARKRAM_1998 = ("Markram H, Wang Y, Tsodyks M (1998) Differential signaling via the same axon of neocortical "
                "pyramidal neurons. PNAS 95:5323-5328.")
TSODYKS_1998 = ("Tsodyks M, Pawelzik K, Markram H (1998) Neural networks with dynamic synapses. "
                "Neural Comput 10:821-835.")
BRUNEL_WANG_2001 = ("Brunel N, Wang XJ (2001) Effects of neuromodulation in a cortical network model of object "
                    "working memory dominated by recurrent inhibition. J Comput Neurosci 11:63-85.")

LIF_SONG = NeuronModel(
    "lif_song",
    """
    dv/dt = (ge*(E_e - v) + E_L - v)/tau_m : volt
    dge/dt = -ge/tau_e : 1
    """,
    {
        "tau_m": Parameter("10 ms", "membrane time constant", positive=True),
        "tau_e": Parameter("5 ms", "excitatory conductance decay", positive=True),
        "E_e": Parameter("0 mV", "excitatory reversal potential"),
        "E_L": Parameter("-74 mV", "leak reversal potential"),
        "V_th": Parameter("-54 mV", "spike threshold"),
        "V_reset": Parameter("-60 mV", "reset potential"),
    },
    threshold="v > V_th",
    reset="v = V_reset",
    initial={"v": "V_reset"},
    integrator="euler",
    aliases={"Ee": "E_e", "EL": "E_L", "Vt": "V_th", "Vr": "V_reset"},
    description=("The neuron of Song, Miller & Abbott (2000) as Brian2 2.9's STDP example writes it: a "
                 "conductance-based LIF whose excitatory conductance ge is in units of the leak conductance "
                 "(forward Euler, as the example)."),
    references=(SONG_2000,),
)

_PAIR_EQUATIONS = """
w : 1
dApre/dt = -Apre/taupre : 1 (event-driven)
dApost/dt = -Apost/taupost : 1 (event-driven)
"""

_PAIR_PARAMETERS = {
    "taupre": Parameter("20 ms", "presynaptic trace time constant", positive=True),
    "taupost": Parameter("20 ms", "postsynaptic trace time constant", positive=True),
    "wmax": Parameter(0.01, "maximum weight (units of the leak conductance)"),
    "dApre": Parameter(0.0001, "potentiation step, 0.01 wmax"),
    "dApost": Parameter(-0.000105, "depression step, -1.05 dApre taupre/taupost"),
}

STDP = SynapseModel(
    "stdp",
    _PAIR_EQUATIONS,
    _PAIR_PARAMETERS,
    on_pre="ge += w; Apre += dApre; w = clip(w + Apost, 0, wmax)",
    on_post="Apost += dApost; w = clip(w + Apre, 0, wmax)",
    description=("Pair-based STDP with all-to-all trace interactions (Song, Miller & Abbott 2000), as in "
                 "Brian2's STDP example: every earlier spike of the partner contributes through a decaying trace."),
    references=(SONG_2000,),
)

STDP_NEAREST = SynapseModel(
    "stdp_nearest",
    _PAIR_EQUATIONS,
    _PAIR_PARAMETERS,
    on_pre="ge += w; Apre = dApre; w = clip(w + Apost, 0, wmax)",
    on_post="Apost = dApost; w = clip(w + Apre, 0, wmax)",
    description=("Pair-based STDP with nearest-spike interactions (Song, Miller & Abbott 2000): a spike resets "
                 "its trace instead of adding to it, so only the latest partner spike counts."),
    references=(SONG_2000,),
)

TRIPLET_STDP = SynapseModel(
    "triplet_stdp",
    """
    w : 1
    dr1/dt = -r1/tau_plus : 1 (event-driven)
    dr2/dt = -r2/tau_x : 1 (event-driven)
    do1/dt = -o1/tau_minus : 1 (event-driven)
    do2/dt = -o2/tau_y : 1 (event-driven)
    """,
    {
        "tau_plus": Parameter("16.8 ms", "fast presynaptic trace r1", positive=True),
        "tau_x": Parameter("101 ms", "slow presynaptic trace r2", positive=True),
        "tau_minus": Parameter("33.7 ms", "fast postsynaptic trace o1", positive=True),
        "tau_y": Parameter("125 ms", "slow postsynaptic trace o2", positive=True),
        "A2p": Parameter(5e-10, "pair potentiation amplitude"),
        "A3p": Parameter(6.2e-3, "triplet potentiation amplitude"),
        "A2m": Parameter(7e-3, "pair depression amplitude"),
        "A3m": Parameter(0.0, "triplet depression amplitude (0 in the minimal model)"),
        "wmax": Parameter(0.01, "maximum weight; amplitudes are relative to it"),
    },
    on_pre="ge += w; w = clip(w - wmax*o1*(A2m + A3m*r2), 0, wmax); r1 += 1; r2 += 1",
    on_post="w = clip(w + wmax*r1*(A2p + A3p*o2), 0, wmax); o1 += 1; o2 += 1",
    description=("Triplet STDP (Pfister & Gerstner 2006), minimal all-to-all model with the visual-cortex "
                 "parameters of their Table 4: potentiation needs a pre-post pair plus an earlier post spike."),
    references=(PFISTER_2006,),
)

VOGELS_ISTDP = SynapseModel(
    "vogels_istdp",
    """
    w : siemens
    dxpre/dt = -xpre/tau_y : 1 (event-driven)
    dxpost/dt = -xpost/tau_y : 1 (event-driven)
    """,
    {
        "tau_y": Parameter("50 ms", "trace time constant", positive=True),
        "eta": Parameter("0.1 nS", "learning rate"),
        "rho0": Parameter("3 Hz", "target postsynaptic rate"),
        "wmin": Parameter("0.01 nS", "minimum weight"),
        "wmax": Parameter("243 nS", "maximum weight"),
    },
    on_pre="gi += w; xpre += 1; w = clip(w + eta*(xpost - 2*rho0*tau_y), wmin, wmax)",
    on_post="xpost += 1; w = clip(w + eta*xpre, wmin, wmax)",
    description=("Inhibitory STDP (Vogels et al. 2011) with the defaults of SpikingNeuralNetworks.jl's "
                 "iSTDPParameterRate: near-coincident spikes strengthen inhibition, every presynaptic spike "
                 "weakens it by 2 rho0 tau_y, so the postsynaptic rate settles at rho0."),
    references=(VOGELS_2011,),
)

_TSODYKS_MARKRAM = """
    w : siemens
    du/dt = -u/tau_f : 1 (event-driven)
    dx/dt = (1 - x)/tau_d : 1 (event-driven)
"""


def _tsodyks_markram(name: str, U: float, tau_d: str, tau_f: str, description: str) -> SynapseModel:
    return SynapseModel(
        name,
        _TSODYKS_MARKRAM,
        {
            "U": Parameter(U, "utilisation increment of a spike"),
            "tau_d": Parameter(tau_d, "recovery from depression", positive=True),
            "tau_f": Parameter(tau_f, "decay of facilitation", positive=True),
        },
        on_pre="u += U*(1 - u); ge += w*u*x; x -= u*x",
        initial={"x": 1},
        description=description + (" Each spike does u += U(1 - u), then ge += w u x, then x -= u x; between "
                                   "spikes u decays to 0 and x recovers to 1."),
        references=(MARKRAM_1998, TSODYKS_1998),
    )


TM_DEPRESSING = _tsodyks_markram(
    "tsodyks_markram_depressing", 0.6, "800 ms", "1 ms",
    "Tsodyks-Markram short-term depression (Tsodyks, Pawelzik & Markram 1998, Fig. 1A: U = 0.6, tau_rec = "
    "800 ms); tau_f = 1 ms makes u equal U at every spike more than 50 ms apart (to 1e-21).",
)

TM_FACILITATING = _tsodyks_markram(
    "tsodyks_markram_facilitating", 0.03, "130 ms", "530 ms",
    "Tsodyks-Markram short-term facilitation (Tsodyks, Pawelzik & Markram 1998, Fig. 1B: U = 0.03, "
    "tau_rec = 130 ms, tau_facil = 530 ms).",
)

NMDA_SATURATING = SynapseModel(
    "nmda_saturating",
    """
    w : siemens
    ds/dt = -s/tau_decay + alpha*x*(1 - s) : 1 (clock-driven)
    dx/dt = -x/tau_rise : 1 (clock-driven)
    g_nmda_post = w*s : siemens (summed)
    """,
    {
        "tau_decay": Parameter("100 ms", "decay of the open fraction s", positive=True),
        "tau_rise": Parameter("2 ms", "decay of the transmitter x", positive=True),
        "alpha": Parameter("0.5 kHz", "binding rate"),
    },
    on_pre="x += 1",
    integrator="exponential_euler",
    description=("Saturating NMDA synapse (Brunel & Wang 2001): the open fraction s of each synapse rises with "
                 "transmitter x and saturates at 1; the target's g_nmda is the sum of w*s over its synapses "
                 "(declare 'g_nmda : siemens' in the neuron model)."),
    references=(BRUNEL_WANG_2001,),
)


@hookimpl
def snnzoo_register_models(registry) -> None:
    """Register the neuron of the STDP experiments."""
    registry.add_model(LIF_SONG)


@hookimpl
def snnzoo_register_synapses(registry) -> None:
    """Register the synapse models."""
    for model in (STDP, STDP_NEAREST, TRIPLET_STDP, VOGELS_ISTDP, TM_DEPRESSING, TM_FACILITATING, NMDA_SATURATING):
        registry.add_synapse_model(model)


@hookimpl
def snnzoo_register_catalog(registry) -> None:
    """Register the plasticity experiments."""
    registry.add_catalog(files(__package__) / "catalog")

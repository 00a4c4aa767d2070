"""CUBA: Brian2's example ``CUBA.py`` (Brette et al. 2007, benchmark 2), ported to snnzoo.

4000 leaky integrate-and-fire neurons with exponentially decaying synaptic currents
(``ge``, ``gi`` in volts), 80 % excitatory, connection probability 2 %, integrated with
``exact`` (v, ge and gi together, through the matrix exponential). Same model and
parameters as the Brian2 script; 1 s. Writes cuba.nc and cuba.png.
"""

from __future__ import annotations

import snnzoo as sz
from snnzoo import ureg as u

CUBA = sz.NeuronModel(
    "cuba",
    """
    dv/dt = (ge + gi - (v - El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    """,
    {"taum": "20 ms", "taue": "5 ms", "taui": "10 ms", "Vt": "-50 mV", "Vr": "-60 mV", "El": "-49 mV"},
    threshold="v > Vt", reset="v = Vr", refractory="5 ms",
    description="CUBA benchmark neuron (Brette et al. 2007): LIF with exponential synaptic currents",
)
WE = 60 * 0.27 / 10 * u.mV   # excitatory weight
WI = -20 * 4.5 / 10 * u.mV   # inhibitory weight


def build(seed: int = 1) -> sz.Network:
    """The CUBA network, ready to run."""
    net = sz.Network(dt=0.1 * u.ms, seed=seed)
    net.add_population("P", CUBA, 4000, initial={"v": "Vr + rand()*(Vt - Vr)"}, integrator="exact")
    net.connect("P[:3200]", "P", on="ge", weight=WE, p=0.02)   # Ce.connect('i<3200', p=0.02)
    net.connect("P[3200:]", "P", on="gi", weight=WI, p=0.02)   # Ci.connect('i>=3200', p=0.02)
    return net


if __name__ == "__main__":
    from _common import output_folder, save
    from snnzoo.results.plotting import plot_raster

    net = build()
    net.run(1 * u.second)
    tree = net.result()
    print(f"mean rate {float(tree['P'].to_dataset().snn.mean_rates().mean()):.2f} Hz")
    save(tree, plot_raster(tree["P"].to_dataset(), every=10), output_folder(), "cuba")

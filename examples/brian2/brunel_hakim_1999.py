"""Brunel & Hakim (1999): Brian2's example ``frompapers/Brunel_Hakim_1999.py``, ported to snnzoo.

5000 inhibitory current-based LIF neurons with noisy external drive (mu 25 mV, sigma 1 mV),
each receiving C = 1000 random connections (p = 0.2) of -0.1 mV with a 2 ms delay. Neurons
fire irregularly at a low rate while the population oscillates fast (about 180 Hz).
100 ms, as the Brian2 script. Writes brunel_hakim_1999.nc and .png (raster).
"""

from __future__ import annotations

import snnzoo as sz
from snnzoo import ureg as u

N, C = 5000, 1000

NEURON = sz.NeuronModel(
    "brunel_hakim",
    "dV/dt = (-V + muext + sigmaext*sqrt(tau)*xi)/tau : volt",
    {"tau": "20 ms", "muext": "25 mV", "sigmaext": "1 mV", "theta": "20 mV", "Vr": "10 mV"},
    threshold="V > theta", reset="V = Vr", refractory="2 ms", initial={"V": "Vr"},
    description="LIF with white-noise external drive (Brunel & Hakim 1999)",
)


def build(seed: int = 1) -> sz.Network:
    """The network, ready to run (euler: the equation has additive noise, as in Brian2)."""
    net = sz.Network(dt=0.1 * u.ms, seed=seed)
    net.add_population("group", NEURON, N)
    net.connect("group", "group", on="V", weight=0.1 * u.mV, op="-=", p=C / N, delay=2 * u.ms)
    return net


if __name__ == "__main__":
    from _common import output_folder, save
    from snnzoo.results.plotting import plot_raster

    net = build()
    net.run(100 * u.ms)
    tree = net.result()
    save(tree, plot_raster(tree["group"].to_dataset(), every=10), output_folder(), "brunel_hakim_1999")

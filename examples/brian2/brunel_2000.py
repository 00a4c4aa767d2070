"""Brunel (2000), figure 8 C: Brian2's example ``frompapers/Brunel_2000.py``, ported to snnzoo.

10 000 excitatory and 2 500 inhibitory LIF neurons (v in mV above rest, threshold 20 mV,
reset 10 mV, refractory 2 ms, ``exact``), connection probability 0.1, J = 0.1 mV, inhibition
g = 5 times stronger, delay 1.5 ms. Each neuron also receives C_E = 1000 external Poisson
inputs at 2 nu_thr = 20 Hz, summed as one binomial draw per step (``add_poisson_input``, Brian2's
``PoissonInput``). Synaptic and external inputs that arrive while a neuron is refractory are
dropped (``v += J`` on an ``(unless refractory)`` variable), as in Brian2. 0.2 s here (the
Brian2 script plots 1 to 1.2 s). Writes brunel_2000.nc and brunel_2000.png (raster).
"""

from __future__ import annotations

import snnzoo as sz
from snnzoo import ureg as u

N_E, N_I, EPSILON, G = 10000, 2500, 0.1, 5.0
C_E = int(EPSILON * N_E)
J = 0.1 * u.mV

NEURON = sz.NeuronModel(
    "brunel_lif", "dv/dt = -v/tau : volt (unless refractory)",
    {"tau": "20 ms", "theta": "20 mV", "V_r": "10 mV"},
    threshold="v > theta", reset="v = V_r", refractory="2 ms",
    description="LIF of Brunel (2000): v measured from rest",
)


def build(seed: int = 1) -> sz.Network:
    """Panel C (g = 5, nu_ext = 2 nu_thr), ready to run."""
    net = sz.Network(dt=0.1 * u.ms, seed=seed)
    net.add_population("neurons", NEURON, N_E + N_I, integrator="exact")
    net.connect(f"neurons[:{N_E}]", "neurons", on="v", weight=J, p=EPSILON, delay=1.5 * u.ms)
    net.connect(f"neurons[{N_E}:]", "neurons", on="v", weight=-G * J, p=EPSILON, delay=1.5 * u.ms)
    nu_thr = 20 * u.mV / (J * C_E * 20 * u.ms)
    net.add_poisson_input("neurons", "v", N=C_E, rate=2 * nu_thr, weight=J)
    return net


if __name__ == "__main__":
    from _common import output_folder, save
    from snnzoo.results.plotting import plot_raster

    net = build()
    net.run(200 * u.ms)
    tree = net.result()
    save(tree, plot_raster(tree["neurons"].to_dataset(), every=50), output_folder(), "brunel_2000")

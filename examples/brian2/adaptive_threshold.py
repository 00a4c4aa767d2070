"""A neuron with an adaptive threshold: Brian2's example ``adaptive_threshold.py``, ported to snnzoo.

v decays with 10 ms, the threshold vt relaxes to 10 mV with 15 ms and jumps by 3 mV at each
spike; a 500 Hz Poisson input adds 3 mV to v per spike. The equations are linear, so they are
integrated with ``exact`` by default, as in Brian2. ``build(copies=k)`` runs k independent
copies (each with its own input) side by side. 2 s. Writes adaptive_threshold.nc and .png.
"""

from __future__ import annotations

import snnzoo as sz
from snnzoo import ureg as u

NEURON = sz.NeuronModel(
    "adaptive_threshold_if",
    """
    dv/dt = -v/(10*ms) : volt
    dvt/dt = (10*mV - vt)/(15*ms) : volt
    """,
    threshold="v > vt", reset="v = 0*mV; vt += 3*mV", initial={"vt": "10 mV"},
    description="integrate-and-fire neuron whose threshold jumps by 3 mV at each spike",
)


def build(copies: int = 1, seed: int = 1) -> sz.Network:
    """``copies`` independent neurons, each driven by its own 500 Hz Poisson input."""
    net = sz.Network(dt=0.1 * u.ms, seed=seed)
    net.add_population("IF", NEURON, copies)
    net.add_source("PG", sz.stimulus("poisson_group", size=copies, rate=500 * u.Hz))
    net.connect("PG", "IF", on="v", weight=3 * u.mV, one_to_one=True)
    net.record("IF", ["v", "vt"], neurons=[0])
    return net


if __name__ == "__main__":
    from _common import output_folder, save
    from snnzoo.results.plotting import plot_traces

    net = build()
    net.run(2 * u.second)
    tree = net.result()
    save(tree, plot_traces(tree["IF"].to_dataset(), "vt", stop=0.1 * u.second), output_folder(), "adaptive_threshold")

"""The LIF f-I curve: Brian2's example ``IF_curve_LIF.py``, ported to snnzoo.

1000 unconnected leaky integrate-and-fire neurons, each with its own input ``v0`` from
0 to 20 mV (``v0 = 20*mV*i/(N - 1)``: ``i`` and ``N`` in an initial-value expression),
integrated with ``exact``; 1 s. Writes lif_fi_curve.nc and lif_fi_curve.png (rate against v0).
"""

from __future__ import annotations

import snnzoo as sz
from snnzoo import ureg as u

LIF = sz.NeuronModel(
    "lif_v0",
    """
    dv/dt = (v0 - v)/tau : volt (unless refractory)
    v0 : volt
    """,
    {"tau": "10 ms"},
    threshold="v > 10*mV", reset="v = 0*mV", refractory="5 ms",
    description="leaky integrate-and-fire neuron relaxing to its own input v0",
)


def build(n: int = 1000) -> sz.Network:
    """``n`` neurons with v0 spread evenly over 0..20 mV."""
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("group", LIF, n, initial={"v": "0*mV", "v0": "20*mV*i/(N - 1)"}, integrator="exact")
    return net


if __name__ == "__main__":
    import matplotlib.pyplot as plt

    from _common import output_folder, save

    net = build()
    net.run(1 * u.second)
    tree = net.result()
    v0 = net.populations["group"].get("v0").to("mV").magnitude
    figure, ax = plt.subplots()
    ax.plot(v0, tree["group"]["spike_count"].values / 1.0)
    ax.set_xlabel("v0 (mV)")
    ax.set_ylabel("firing rate (Hz)")
    save(tree, figure, output_folder(), "lif_fi_curve")

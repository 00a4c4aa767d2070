"""Input dropped while refractory: Brian2's semantics of ``(unless refractory)``.

One LIF neuron (tau 10 ms, El = Vr = -70 mV, threshold -50 mV, refractory 5 ms) receives an
input spike every 1 ms that adds 4 mV to v. As in Brian2, the inputs that arrive during the
5 ms after each spike are lost (the write to v is dropped), so the neuron needs five fresh
inputs after each refractory period and fires 17 times in 200 ms. Writes
refractory_input.nc and refractory_input.png (v).
"""

from __future__ import annotations

import numpy as np

import snnzoo as sz
from snnzoo import ureg as u

NEURON = sz.NeuronModel(
    "lif", "dv/dt = (El - v)/tau : volt (unless refractory)",
    {"El": "-70 mV", "tau": "10 ms", "Vt": "-50 mV", "Vr": "-70 mV"},
    threshold="v > Vt", reset="v = Vr", refractory="5 ms", initial={"v": "El"},
)


def build() -> sz.Network:
    """The neuron and its regular input, with v recorded."""
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("neuron", NEURON, 1)
    times = (0.5 + np.arange(200)) * u.ms
    net.add_source("input", sz.stimulus("spike_generator", times=times, indices=[0] * 200))
    net.connect("input", "neuron", on="v", weight=4 * u.mV, all_to_all=True)
    net.record("neuron", "v")
    return net


if __name__ == "__main__":
    from _common import output_folder, save
    from snnzoo.results.plotting import plot_traces

    net = build()
    net.run(200 * u.ms)
    tree = net.result()
    print(f"{int(tree['neuron']['spike_count'].values[0])} spikes")
    save(tree, plot_traces(tree["neuron"].to_dataset(), "v"), output_folder(), "refractory_input")

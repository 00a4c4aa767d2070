"""Input from a TimedArray: the example of Brian2's documentation ('Timed arrays'), ported to snnzoo.

A stimulus of 100 random levels, each held for 30 ms and followed by 20 ms of silence (a value
every 10 ms), drives 100 leaky neurons through ``dv/dt = (-v + stimulus(t))/(10*ms)``; the
TimedArray is called inside the equation, and the equation (linear, the stimulus constant
during each step) is integrated with ``exact``, Brian2's choice. The threshold is 0.5 (the
documentation's 1 is never reached by this stimulus). 1 s. Writes timed_array_input.nc and .png.
"""

from __future__ import annotations

import numpy as np

import snnzoo as sz
from snnzoo import ureg as u


def stimulus_values() -> tuple[np.ndarray, np.ndarray]:
    """The stimulus (100 random levels, each as c, c, c, 0, 0) and the initial v of the 100 neurons."""
    levels = np.random.RandomState(1).rand(100)
    return np.hstack([[c, c, c, 0, 0] for c in levels]), 0.5 * np.random.RandomState(2).rand(100)


def build() -> sz.Network:
    """100 neurons driven by the stimulus, ready to run."""
    values, v0 = stimulus_values()
    stimulus = sz.TimedArray(values * u.dimensionless, dt=10 * u.ms, name="stimulus")
    model = sz.NeuronModel("driven", "dv/dt = (-v + stimulus(t))/(10*ms) : 1", threshold="v > 0.5",
                           reset="v = 0", functions={"stimulus": stimulus})
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("G", model, 100, initial={"v": v0})
    return net


if __name__ == "__main__":
    from _common import output_folder, save
    from snnzoo.results.plotting import plot_raster

    net = build()
    net.run(1 * u.second)
    tree = net.result()
    save(tree, plot_raster(tree["G"].to_dataset()), output_folder(), "timed_array_input")

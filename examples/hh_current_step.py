"""A Hodgkin-Huxley neuron under a strong current step (the Brian2 'neuron models' notebook).

The Traub-Miles model (plugin model ``hh_traub``) gets I = 0.7 nA * 8 for 3 ms,
integrated with exponential Euler at dt = 0.01 ms from rest. Writes
hh_current_step.nc and .png into the current directory, or into the folder given
as the first argument.
"""

import sys
from pathlib import Path

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.results.plotting import plot_traces, save_figure
from snnzoo.results.tree import write_netcdf

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
out.mkdir(parents=True, exist_ok=True)

print(sz.model("hh_traub").describe())        # equations, parameters and defaults

net = sz.Network(dt=0.01 * u.ms, seed=1)
net.add_population("hh", "hh_traub", 1)       # defaults: 20000 um^2 of membrane, v0 = E_L
net.add_stimulus(sz.stimulus("constant_current", amplitude=0.7 * u.nA * 8), "hh")
net.record("hh", ["v", "m", "n", "h"])
net.run(3 * u.ms)

print("spikes (v > -20 mV):", int(net.records()[0].spike_counts[0]))

tree = net.result()
write_netcdf(tree, out / "hh_current_step.nc")
figure = plot_traces(tree["hh"].to_dataset(), "v")
save_figure(figure, out / "hh_current_step.png")

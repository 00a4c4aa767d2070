"""The first model of the Brian2 programming lab, written inline: dx/dt = -x/tau.

x starts at 0 and stays there for 100 ms; then x is set to 1 and decays for
another 100 ms. Writes lif_decay.nc and .png into the current directory, or
into the folder given as the first argument.
"""

import math
import sys
from pathlib import Path

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.results.plotting import plot_traces, save_figure
from snnzoo.results.tree import write_netcdf

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
out.mkdir(parents=True, exist_ok=True)

# A model is equations with units plus parameters with defaults; no plugin needed.
decay = sz.NeuronModel("decay", "dx/dt = -x/tau : 1", {"tau": 20 * u.ms})

net = sz.Network(dt=0.1 * u.ms, seed=1)
population = net.add_population("decay", decay, 1)
net.record("decay", "x")

net.run(100 * u.ms)             # x = 0: nothing happens
population.set("x", 1)          # like N.x = 1 in Brian
net.run(100 * u.ms)             # exponential decay

x = population.get("x").magnitude[0]
print(f"x after 200 ms: {x:.7f}  (closed form exp(-100 ms / tau) = {math.exp(-100 / 20):.7f}; the linear equation is "
      "integrated exactly, as Brian2 does by default)")

tree = net.result()
write_netcdf(tree, out / "lif_decay.nc")
figure = plot_traces(tree["decay"].to_dataset(), "x", unit="1")
save_figure(figure, out / "lif_decay.png")

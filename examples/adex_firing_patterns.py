"""Firing patterns of the AdEx neuron (Naud et al. 2008), after the ANNarchy AdEx notebook.

Eight AdEx neurons, each with its own parameters, get a constant current for
500 ms and none for the next 50 ms. Forward Euler, dt = 0.1 ms, refractory 2 ms
(benchmark workload W1). Writes adex_firing_patterns.nc and .png into the
current directory, or into the folder given as the first argument.

    python examples/adex_firing_patterns.py [OUTDIR]
"""

import sys
from pathlib import Path

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.results.plotting import plot_traces, save_figure
from snnzoo.results.tree import write_netcdf

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
out.mkdir(parents=True, exist_ok=True)

labels = ["tonic spiking", "adaptation", "initial burst", "regular bursting",
          "irregular spiking", "transient spiking", "delayed accelerating", "delayed regular bursting"]

net = sz.Network(dt=0.1 * u.ms, seed=1)
adex = net.add_population(
    "adex", "adex", 8, labels=labels, refractory=2 * u.ms,
    # one value per neuron, with units (the ANNarchy notebook's table)
    parameters={
        "C_m": [200, 200, 130, 200, 200, 200, 100, 100] * u.pF,
        "g_L": [10, 12, 18, 10, 12, 12, 10, 12] * u.nS,
        "E_L": [-70, -70, -58, -58, -70, -70, -65, -60] * u.mV,
        "V_th": -50 * u.mV,
        "Delta_T": 2 * u.mV,
        "a": [2, 2, 4, 2, -10, -6, -10, -11] * u.nS,
        "tau_w": [30, 300, 150, 120, 300, 300, 90, 130] * u.ms,
        "b": [0, 60, 120, 100, 0, 0, 30, 30] * u.pA,
        "V_reset": [-58, -58, -50, -46, -58, -58, -47, -48] * u.mV,
        "V_spike": 0 * u.mV,                   # spike when v >= 0 mV
    },
    # v starts at E_L (the model's default); the input current I is a plain variable here
    initial={"w": 0 * u.pA, "I": [500, 500, 400, 210, 300, 110, 350, 160] * u.pA},
)
net.record("adex", ["v", "w", "I"])

net.run(500 * u.ms)          # as in ANNarchy: simulate with the current ...
adex.set("I", 0 * u.pA)      # ... switch it off ...
net.run(50 * u.ms)           # ... and simulate 50 ms more (one kernel, two calls)

print("spike counts:", dict(zip(labels, net.records()[0].spike_counts.tolist())))

tree = net.result()
write_netcdf(tree, out / "adex_firing_patterns.nc")
figure = plot_traces(tree["adex"].to_dataset(), "v", titles=labels, spike_peak=0 * u.mV)
save_figure(figure, out / "adex_firing_patterns.png")

"""AdEx firing patterns in the SpikingNeuralNetworks.jl parametrisation (tau_m and R).

The SNN.jl tutorial's six cells (its 'Irregular' row is commented out there too)
get 5 pA for 30 ms, then their own current for 300 ms. dt = 0.125 ms, v and w
recorded at 8 kHz. Writes adex_firing_patterns_snnjl.nc and .png into the
current directory, or into the folder given as the first argument.
"""

import sys
from pathlib import Path

import numpy as np

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.results.plotting import plot_traces, save_figure
from snnzoo.results.tree import write_netcdf

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
out.mkdir(parents=True, exist_ok=True)

#        type           tau_m ms  a nS  tau_w ms  b pA  Vr mV  I pA
rows = [("Tonic",        20.0,  0.0,  30.0, 60.0, -55.0, 65.0),
        ("Adapting",     20.0,  0.0, 100.0,  5.0, -55.0, 65.0),
        ("Init. burst",   5.0,  0.5, 100.0,  7.0, -51.0, 65.0),
        ("Bursting",      5.0, -0.5, 100.0,  7.0, -46.0, 65.0),
        ("Transient",    10.0,  1.0, 100.0, 10.0, -60.0, 65.0),
        ("Delayed",       5.0, -1.0, 100.0, 10.0, -60.0, 25.0)]
column = lambda k: np.array([r[k] for r in rows])

net = sz.Network(dt=0.125 * u.ms, seed=1)
net.add_population(
    "adex", "adex_tau", len(rows), labels=[r[0] for r in rows],
    parameters={"R_m": 0.5 * u.Gohm, "V_th": -50 * u.mV, "Delta_T": 2 * u.mV, "E_L": -70 * u.mV,
                "tau_m": column(1) * u.ms, "a": column(2) * u.nS, "tau_w": column(3) * u.ms,
                "b": column(4) * u.pA, "V_reset": column(5) * u.mV},
)
# 5 pA for everyone from t = 0, each cell's own current from t = 30 ms (rows: segments, columns: neurons)
amplitudes = np.stack([np.full(len(rows), 5.0), column(6)]) * u.pA
net.add_stimulus(sz.stimulus("step_current", times=[0, 30] * u.ms, amplitudes=amplitudes), "adex")
net.record("adex", ["v", "w"], rate=8 * u.kHz)
net.run(330 * u.ms)

print("spike counts:", dict(zip([r[0] for r in rows], net.records()[0].spike_counts.tolist())))

tree = net.result()
write_netcdf(tree, out / "adex_firing_patterns_snnjl.nc")
figure = plot_traces(tree["adex"].to_dataset(), "v", spike_peak=20 * u.mV)
save_figure(figure, out / "adex_firing_patterns_snnjl.png")

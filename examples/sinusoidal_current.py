"""Two LIF neurons driven by phase-shifted sine currents (SpikingNeuralNetworks.jl tutorial).

I_i(t) = amplitude*sin(2*pi*frequency*t + i*shift_phase) with amplitude 50 pA,
frequency 1 Hz and shift_phase 3/4 pi, written as an expression that is
dimension-checked against the current I. (SNN.jl counts neurons from 1, so its
phases are those here plus 3/4 pi.) 2 s at dt = 0.125 ms, recorded at 2 kHz.
Writes sinusoidal_current.nc and .png into the current directory, or into the
folder given as the first argument.
"""

import math
import sys
from pathlib import Path

from matplotlib.figure import Figure

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.results.plotting import plot_traces, save_figure
from snnzoo.results.tree import write_netcdf

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
out.mkdir(parents=True, exist_ok=True)

net = sz.Network(dt=0.125 * u.ms, seed=1)
# lif defaults are SNN.jl's IF: R 0.5 GOhm, tau_m 20 ms, El -70 mV, Vt -50 mV, Vr -55 mV
net.add_population("lif", "lif", 2)
current = sz.stimulus(
    "function_current",
    function="amplitude*sin(2*pi*frequency*t + i*shift_phase)",
    parameters={"amplitude": 50 * u.pA, "frequency": 1 * u.Hz, "shift_phase": 3 / 4 * math.pi},
)
net.add_stimulus(current, "lif")
net.record("lif", ["v", "I"], rate=2 * u.kHz)
net.run(2 * u.s)

print("spike counts:", net.records()[0].spike_counts.tolist())

tree = net.result()
write_netcdf(tree, out / "sinusoidal_current.nc")
ds = tree["lif"].to_dataset()
figure = Figure(figsize=(8, 6), layout="constrained")
top, bottom = figure.subplots(2, 1, sharex=True)
plot_traces(ds, "v", spike_peak=0 * u.mV, ax=top)
plot_traces(ds, "I", unit="pA", ax=bottom)
save_figure(figure, out / "sinusoidal_current.png")

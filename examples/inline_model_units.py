"""Units, and a user-written adaptive-threshold LIF (Brian2 lab and 'neuron models' notebook).

Quantities carry units (pint): 1 nA * 5 MOhm is 5 mV, and adding a current to a
voltage is an error. Models are dimension-checked when they are written.
The notebook's adaptive-threshold LIF gets, instead of its input spike train
(v += 0.3 every 2 ms; spike inputs come later), the same mean drive as a
constant input I = 0.3/(2 ms). Neuron 0 has a fixed threshold (vt += 0.4*0),
neuron 1 an adaptive one (vt += 0.4*1). Writes inline_model_units.nc and .png
into the current directory, or into the folder given as the first argument.
"""

import sys
from pathlib import Path

from matplotlib.figure import Figure

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.results.plotting import plot_traces, save_figure
from snnzoo.results.tree import write_netcdf

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
out.mkdir(parents=True, exist_ok=True)

# -- units ----------------------------------------------------------------------
print("1*nA * 5*Mohm =", (1 * u.nA * 5 * u.Mohm).to(u.mV))
try:
    1 * u.nA + 5 * u.mV
except Exception as error:  # pint.DimensionalityError
    print("1*nA + 5*mV ->", type(error).__name__ + ":", error)
try:
    sz.NeuronModel("broken", "dv/dt = -v/15 : volt")   # missing time unit
except sz.SnnzooError as error:
    print("unit check of a model ->", error)

# -- the adaptive-threshold LIF, written as equations -----------------------------
model = sz.NeuronModel(
    "adaptive_threshold",
    """
    dv/dt = -v/(15*ms) + I : 1
    dvt/dt = (1 - vt)/(50*ms) : 1
    I : Hz
    """,
    threshold="v > vt",
    reset="v = 0; vt += 0.4*i",     # i is the neuron index
    initial={"vt": 1},
)

net = sz.Network(dt=0.1 * u.ms, seed=1)
net.add_population("lif", model, 2, labels=["standard LIF", "adaptive threshold"])
net.add_stimulus(sz.stimulus("constant_current", amplitude=0.3 / (2 * u.ms)), "lif")
net.record("lif", ["v", "vt"])
net.run(150 * u.ms)

counts = net.records()[0].spike_counts
print(f"spike counts: standard LIF {counts[0]}, adaptive threshold {counts[1]}")

tree = net.result()
write_netcdf(tree, out / "inline_model_units.nc")
ds = tree["lif"].to_dataset()
figure = Figure(figsize=(8, 5), layout="constrained")
for neuron, ax in enumerate(figure.subplots(2, 1, sharex=True)):
    plot_traces(ds, "v", neurons=[neuron], titles=["v"], unit="1", ax=ax)
    plot_traces(ds, "vt", neurons=[neuron], titles=["vt"], unit="1", ax=ax)
    ax.set_title(["standard LIF", "adaptive threshold"][neuron])
    ax.set_ylabel("v, vt")
    ax.legend()
save_figure(figure, out / "inline_model_units.png")

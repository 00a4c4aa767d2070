"""Defects of the Python API and the command line found by trying them: each test failed before its fix."""

from __future__ import annotations

import re

import numpy as np
import pytest

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.errors import ConfigError, UnitError


def _spiking_model(name: str, **arguments) -> sz.NeuronModel:
    return sz.NeuronModel(name, "dv/dt = (I - v)/tau : volt (unless refractory)\nI : volt", {"tau": 10 * u.ms},
                          threshold="v > 1*mV", reset="v = 0*mV", **arguments)


def test_a_refractory_period_in_time_steps_is_that_many_steps():
    # "2*dt" was read by pint as 2 decitonnes: "expected dimension [time], got 2 dt of dimension [mass]"
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    by_model = net.add_population("M", _spiking_model("steps", refractory="2*dt"), 3)
    by_population = net.add_population("P", _spiking_model("plain"), 3, refractory="3*dt + 1*ms")
    assert by_model.refractory_steps(1e-4).tolist() == [2, 2, 2]
    assert by_population.refractory_steps(1e-4).tolist() == [13, 13, 13]
    assert by_model.to_dict()["refractory"] == "2*dt"
    for group in (by_model, by_population):
        group.I = 1 * u.V  # without refractoriness, a spike at every step
    net.run(5 * u.ms)
    for name, steps in (("M", 2), ("P", 13)):
        spikes = net.result()[name].to_dataset()
        times = spikes.spike_time.values[spikes.spike_neuron.values == 0]
        np.testing.assert_allclose(np.diff(times), steps * 1e-4, rtol=1e-9)

def test_a_refractory_period_cannot_read_the_simulated_time():
    with pytest.raises(UnitError, match=r"refractory '2\*t': uses t; a refractory period may use parameters, declared "
                                        "variables, i, N and dt only"):
        _spiking_model("clock", refractory="2*t")


@pytest.mark.parametrize("make, fragment", [
    (lambda: sz.Network(dt="2*dt"), "dt: '2*dt' reads 'dt', the time step, which this value cannot"),
    (lambda: sz.Network(dt=0.1 * u.ms).run("5*t"), "duration: '5*t' reads 't', the simulated time, which this value"),
])
def test_a_quantity_text_that_reads_the_clock_is_refused_not_read_as_tonnes(make, fragment):
    # "2*dt" was 2 decitonnes and "5*t" 5 tonnes: a dimension error that named pint's units, not the clock
    with pytest.raises(UnitError, match=re.escape(fragment)):
        make()


def _population(size: int = 5):
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    return net, net.add_population("G", _spiking_model("items"), size)


@pytest.mark.parametrize("assign, fragment", [
    (lambda G: G.v.__setitem__(0, 1 * u.ms),
     "population 'G' (model 'items'): value 'v' (in V): expected dimension [voltage], got 1 ms of dimension [time]"),
    (lambda G: G.v.__setitem__(0, 1),
     "value 'v' (in V): expected a quantity of dimension [voltage] (e.g. '1 V'), got the plain number 1"),
    (lambda G: G[1:3].v.__setitem__(slice(None), 2 * u.nA),
     "value 'G[...].v' (in V): expected dimension [voltage], got 2 nA of dimension [current]"),
    (lambda G: G.tau[1:].__setitem__(0, float("nan") * u.ms), "value 'tau' (in s): must be finite"),
])
def test_an_item_of_the_wrong_dimension_is_named_with_its_variable_and_unit(assign, fragment):
    # it was pint's DimensionalityError ("Cannot convert from '1 millisecond' to 'volt'. Assign a quantity ...")
    _, G = _population()
    with pytest.raises(UnitError, match=re.escape(fragment)):
        assign(G)
    assert G.v.magnitude.tolist() == [0.0] * 5 and G.tau.to("ms").magnitude.tolist() == [10.0] * 5


def test_items_of_a_part_of_the_values_write_back():
    # G.v[1:3][0] = x set an item of a copy nothing read, in silence (G.v[0] = x set neuron 0's)
    net, G = _population()
    G.v[1:3][0] = 5 * u.mV
    G.v[[0, 3]][1] = 7 * u.mV
    G[2:5].v[1:][1] = 2 * u.mV
    G.v[0] += 1 * u.mV
    np.testing.assert_allclose(G.v.to("mV").magnitude, [1, 5, 0, 7, 2], rtol=1e-12)
    projection = net.connect("G", "G", on="v", weight=1 * u.mV, one_to_one=True, name="S")
    projection.w[2:][0] = 3 * u.mV
    assert projection.w.to("mV").magnitude.tolist() == pytest.approx([1, 1, 3, 1, 1], rel=1e-12)
    with pytest.raises(UnitError, match=re.escape("projection 'S': value 'w' (in V): expected dimension [voltage], "
                                                  "got 1 ms of dimension [time]")):
        projection.w[0] = 1 * u.ms
    doubled = G.v * 2  # computed from the values: the caller's own
    doubled[0] = 100 * u.mV
    np.testing.assert_allclose(G.v.to("mV").magnitude, [1, 5, 0, 7, 2], rtol=1e-12)
    net.run(0.1 * u.ms)
    G.v[1:][0] = 3 * u.mV  # between runs: into the running state
    assert G.v[1].to("mV").magnitude == pytest.approx(3, rel=1e-12)


def test_brian2s_size_and_indices_of_a_population():
    _, G = _population(4)
    assert G.N == len(G) == 4 and G[1:3].N == 2
    assert G.i.tolist() == [0, 1, 2, 3] and G[1:3].indices.tolist() == [1, 2]
    with pytest.raises(ValueError):
        G.i[0] = 3
    with pytest.raises(ConfigError, match=r"population 'G' \(model 'items'\): N is read-only"):
        G.N = 3
    # Brian2's subgroup i counts from 0, while set and expressions read a slice's i in the whole group: refused
    with pytest.raises(AttributeError, match=r"'i' \(known: N, indices\); its neurons' indices in the whole group "
                                             r"are \.indices"):
        G[1:3].i


STDP_EXPERIMENT = {
    "duration": "200 ms", "seed": 3,
    "models": {"post": {"equations": "dv/dt = (ge - v)/tau : 1\ndge/dt = -ge/tau : 1", "parameters": {"tau": "10 ms"},
                        "threshold": "v > 1", "reset": "v = 0"}},
    "populations": {"P": {"model": "post", "size": 2}},
    "sources": {"pre": {"type": "poisson_group", "size": 20, "rate": "100 Hz"}},
    "projections": {"S": {"source": "pre", "target": "P", "synapse": "stdp", "weight": 0.3, "all_to_all": True,
                          "parameters": {"taupre": "15 ms", "dApre": 0.002, "wmax": 1},
                          "initial": {"Apre": "0.001*i/N_pre"}}},
}


def test_a_synapse_models_parameters_and_initial_values_are_in_the_provenance_as_data(tmp_path, capsys):
    # the provenance of a projection named its synapse model and defaults, not the values given to it
    from snnzoo.catalog.experiment import Experiment
    from snnzoo.cli import main
    from snnzoo.results.tree import open_result, provenance, write_netcdf

    tree = Experiment("stdp-given", STDP_EXPERIMENT).run()
    assert len(set(tree["projections/S"].dataset["weight"].values)) > 10  # the weights learnt: the rerun compares them
    path = write_netcdf(tree, tmp_path / "stdp.nc")
    recorded = provenance(open_result(path))["projections"]["S"]
    assert recorded["parameters"] == {"taupre": {"value": 15, "unit": "ms"}, "dApre": 0.002, "wmax": 1}
    assert recorded["initial"] == {"Apre": "0.001*i/N_pre"} and recorded["weight"] == 0.3
    assert main(["rerun", str(path), "-q", "-o", str(tmp_path / "again.nc")]) == 0
    assert "identical" in capsys.readouterr().out
    net = sz.Network(seed=1)
    net.add_source("pre", sz.stimulus("poisson_group", size=3, rate=10 * u.Hz))
    net.add_population("P", sz.NeuronModel("post", "dge/dt = -ge/tau : 1", {"tau": "10 ms"}), 1)
    projection = net.connect("pre", "P", synapse="stdp", weight=0.1, all_to_all=True, name="S",
                             parameters={"taupost": [10, 20, 30] * u.ms}, initial={"Apost": 0.5})
    projection.set("dApost", -0.001)
    assert projection.to_dict()["parameters"] == {"taupost": {"value": [10, 20, 30], "unit": "ms"}, "dApost": -0.001}
    assert projection.to_dict()["initial"] == {"Apost": 0.5}


def _two_neurons(params, seed):
    net = sz.Network(seed=seed)
    net.add_population("G", "lif", 2)
    return net


def test_whole_numbers_follow_one_rule_across_the_api():
    # seeds=2.0 was refused by sweeps ("expected a number of runs ... got 2.0") while Network(seed=2.0) was seed 2,
    # and add_population(size=2.0) was refused while a poisson input's N=2.0 was 2
    grid = {"populations.G.size": [1, 2]}
    swept = sz.sweep(_two_neurons, grid, seeds=2.0, duration="1 ms", executor="serial")
    assert swept["seed"].values.tolist() == [0, 1]
    listed = sz.sweep(_two_neurons, grid, seeds=[np.float64(3.0), 5], duration="1 ms", executor="serial")
    assert listed["seed"].values.tolist() == [3, 5]
    with pytest.raises(ConfigError, match=re.escape("seeds: expected a whole number, got 2.5 (it would be truncated)")):
        sz.sweep(_two_neurons, grid, seeds=2.5, duration="1 ms", executor="serial")
    with pytest.raises(ConfigError, match="distinct"):
        sz.sweep(_two_neurons, grid, seeds=[1, 1.0], duration="1 ms", executor="serial")
    net = sz.Network(seed=2.0)
    assert net.seed == 2 and net.add_population("G", "lif", 2.0).size == 2
    with pytest.raises(ConfigError, match=re.escape("population 'H': size must be a whole number >= 1, got 2.5")):
        net.add_population("H", "lif", 2.5)


@pytest.mark.parametrize("call, message", [
    (lambda net: sz.sweep(_two_neurons, {"populations.G.size": [1]}, resume="yes", duration="1 ms", executor="serial"),
     "sweep(): resume: expected True or False, got 'yes'"),
    (lambda net: sz.sweep(_two_neurons, {"populations.G.size": [1]}, progress=1, duration="1 ms", executor="serial"),
     "sweep(): progress: expected True or False, got 1"),
    (lambda net: net.connect("G", "G", on="v", weight=1 * u.mV, all_to_all=True, autapses="no"),
     "Network.connect(): autapses: expected True or False, got 'no'"),
    (lambda net: net.connect("G", "G", on="v", weight=1 * u.mV, all_to_all=True, round_delays=None),
     "Network.connect(): round_delays: expected True or False, got None"),
    (lambda net: net.run(1 * u.ms, progress="yes"), "Network.run(): progress: expected True or False, got 'yes'"),
])
def test_a_flag_is_true_or_false(call, message):
    # each was taken by its truth: autapses="no" kept the autapses, resume="yes" resumed
    net = _two_neurons({}, 1)
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        call(net)
    assert not net.projections and net.step == 0


SMALL_SWEEP = """
duration = "20 ms"

[populations.cell]
model = "lif"
size = 2

[stimuli.step]
type = "constant_current"
population = "cell"
amplitude = "400 pA"
"""


def test_the_sweep_command_takes_precision_and_refuses_threads_with_the_reason(tmp_path, capsys):
    # 'snnzoo sweep' had neither option of 'snnzoo run': "unrecognized arguments: --precision single"
    from snnzoo.cli import main
    from snnzoo.results.tree import open_result, provenance

    toml = tmp_path / "small.toml"
    toml.write_text(SMALL_SWEEP)
    out = tmp_path / "out"
    command = ["sweep", str(toml), "--grid", "stimuli.step.amplitude=300,500 pA", "--workers", "1", "-q", "-o", str(out)]
    assert main([*command, "--threads", "2"]) == 2
    assert capsys.readouterr().err == ("snnzoo: error: --threads 2: a sweep runs each worker's kernels on one thread, "
                                       "since the workers are the parallelism; give --workers N instead\n")
    assert not out.exists()
    assert main([*command, "--precision", "half"]) == 2
    assert "precision" in capsys.readouterr().err and not out.exists()
    assert main([*command, "--precision", "single"]) == 0
    runs = sorted((out / "runs").glob("*.nc"))
    assert len(runs) == 2
    assert all(provenance(open_result(run))["precision"] == "single" for run in runs)


@pytest.mark.parametrize("name, message", [
    # it said "unknown model, ... '/tmp' (known: ...)"
    ("FOLDER", "snnzoo: error: FOLDER: a folder, not an experiment file, model, stimulus or integrator name; give a "
               ".toml file or a name 'snnzoo list' shows\n"),
    # it said only "no such file"
    ("lif-decay.toml", "snnzoo: error: experiment file lif-decay.toml: no such file; did you mean the catalog "
                       "experiment 'lif-decay'?\n"),
])
def test_info_says_what_a_folder_or_a_missing_file_is(name, message, tmp_path, capsys):
    from snnzoo.cli import main

    name = name.replace("FOLDER", str(tmp_path))
    assert main(["info", name]) == 2
    assert capsys.readouterr().err == message.replace("FOLDER", str(tmp_path))


def test_info_suggests_a_qualified_name_for_a_qualified_typo(capsys):
    # 'stimuli:step_curent' got "did you mean 'noise_current'?", an unqualified name
    from snnzoo.cli import main

    assert main(["info", "stimuli:step_curent"]) == 2
    assert "did you mean 'stimuli:step_current'?" in capsys.readouterr().err


def test_ctrl_c_while_the_command_imports_snnzoo_exits_quietly_with_130():
    # a Ctrl-C in the first ~0.3 s of any command (while Python imported snnzoo) ended in a traceback: the console
    # script imported snnzoo.cli before any of snnzoo's handling could run. Here the Ctrl-C comes as snnzoo.cli is
    # imported (not as some library is: `snnzoo list` with a warm plugin index imports no pint, for one)
    import os
    import signal
    import subprocess
    import sys
    import textwrap
    from pathlib import Path

    code = textwrap.dedent("""
        import importlib.abc, os, signal, sys
        class PressCtrlC(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name == "snnzoo.cli":
                    os.kill(os.getpid(), signal.SIGINT)
                return None
        sys.meta_path.insert(0, PressCtrlC())
        sys.argv = ["snnzoo", "list"]
        import snnzoo_command
        snnzoo_command.main()""")
    root = str(Path(__file__).resolve().parents[1])
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    # Ctrl-C's default action, as at a terminal: a suite run in the background, or by pytest-xdist's workers,
    # ignores SIGINT, and the command inherits that
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=120,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "snnzoo: interrupted\n")


@pytest.mark.parametrize("arguments, message", [
    ({"equations": None}, "model 'm': equations: expected text, got None"),
    ({"equations": ["dv/dt = -v/tau : volt"]}, "model 'm': equations: expected text, got ['dv/dt = -v/tau : volt']"),
    ({"parameters": [("tau", "10 ms")]}, "model 'm': parameters: expected a dictionary of names and values, got "
                                         "[('tau', '10 ms')]"),
    ({"threshold": 5}, "model 'm': threshold: expected text, got 5"),
    ({"reset": ["v = 0*mV"]}, "model 'm': reset: expected text, got ['v = 0*mV']"),
    ({"initial": "v = 0*mV"}, "model 'm': initial: expected a dictionary of names and values, got 'v = 0*mV'"),
    ({"name": ""}, "model '': name: expected a name (non-empty text), got ''"),
    ({"name": None}, "model None: name: expected a name (non-empty text), got None"),
    ({"description": None}, "model 'm': description: expected text, got None"),
    ({"presets": {"fast": 3}}, "model 'm': presets: preset 'fast': expected a dictionary of parameters and values, "
                               "got 3"),
    ({"non_negative_targets": 3}, "model 'm': non_negative_targets: expected a list of synaptic target names, got 3"),
], ids=["equations None", "equations list", "parameters list", "threshold number", "reset list", "initial text",
        "empty name", "no name", "description None", "preset number", "targets number"])
def test_a_neuron_model_argument_of_the_wrong_kind_is_named(arguments, message):
    # Python's AttributeError or TypeError from deep in the parse ("'list' object has no attribute 'items'"),
    # or taken (a model called '' or None)
    given = {"name": "m", "equations": "dv/dt = -v/tau : volt", "parameters": {"tau": "10 ms"}, **arguments}
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        sz.NeuronModel(given.pop("name"), given.pop("equations"), **given)


@pytest.mark.parametrize("arguments, message", [
    ({"name": ""}, "synapse model '': name: expected a name (non-empty text), got ''"),
    ({"parameters": [1]}, "synapse model 's': parameters: expected a dictionary of names and values, got [1]"),
    ({"initial": 0.5}, "synapse model 's': initial: expected a dictionary of names and values, got 0.5"),
], ids=["empty name", "parameters list", "initial number"])
def test_a_synapse_model_argument_of_the_wrong_kind_is_named(arguments, message):
    given = {"name": "s", "equations": "w : 1", "on_pre": "v_post += w", **arguments}
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        sz.SynapseModel(given.pop("name"), given.pop("equations"), **given)


def _two_networks() -> tuple[sz.Network, sz.Network]:
    networks = []
    for _ in range(2):
        net = sz.Network(dt=0.1 * u.ms, seed=1)
        net.add_population("G", "lif", 3)
        net.add_source("P", sz.stimulus("poisson_group", size=2, rate=10 * u.Hz))
        networks.append(net)
    return networks[0], networks[1]


@pytest.mark.parametrize("use", [
    lambda net, G, P: net.record(G, "v"),
    lambda net, G, P: net.connect(G, "G", on="v", weight=1 * u.mV, p=1.0),
    lambda net, G, P: net.connect("G", G[:2], on="v", weight=1 * u.mV, p=1.0),
    lambda net, G, P: net.connect(P, "G", on="v", weight=1 * u.mV, p=1.0),
    lambda net, G, P: net.add_stimulus(sz.stimulus("constant_current", amplitude=1 * u.nA), G),
    lambda net, G, P: net.add_poisson_input(G, "v", N=2, rate=10 * u.Hz, weight=1 * u.mV),
    lambda net, G, P: net.run_regularly(G, "v = -70*mV", dt=1 * u.ms),
], ids=["record", "connect source", "connect target slice", "connect spike source", "add_stimulus",
        "add_poisson_input", "run_regularly"])
def test_a_group_of_another_network_is_refused(use):
    # taken in silence (a notebook's cell that made a new network kept the old group): a monitor of it recorded
    # nothing, a stimulus reached this network's group of the same name
    made_first, net = _two_networks()
    G, P = made_first.population("G"), made_first.groups["P"]
    with pytest.raises(ConfigError, match=r"^(population 'G' \(model 'lif'\)|source 'P' \(poisson_group\)): a group "
                                          r"of another network; give this network's own \(its name '[GP]' finds it"):
        use(net, G, P)


def test_record_synapses_takes_the_projection_connect_returned():
    # Brian2's StateMonitor(S, 'w'): it was "TypeError: unhashable type: 'Projection'", an internal error
    relay = sz.NeuronModel("relay", "v : 1\nge : 1", threshold="v > 0.5", reset="v = 0")
    networks = []
    for _ in range(2):
        net = sz.Network(dt=0.1 * u.ms, seed=1)
        net.add_population("G", relay, 3)
        networks.append((net, net.connect("G", "G", synapse="stdp", weight=0.001, p=1.0, name="S")))
    (net, S), (other, _) = networks
    net.record_synapses(S, "w", name="w_of_S")
    net.run(1 * u.ms)
    assert net.result()["projections"]["S"]["w_of_S"].to_dataset()["w"].shape[-1] == 9
    with pytest.raises(ConfigError, match=re.escape("projection 'S': a projection of another network; give this "
                                                    "network's own")):
        other.record_synapses(S, "w")


def test_set_of_some_neurons_takes_a_list_and_refuses_a_neuron_twice():
    # neurons=[0, 2] was "'list' object has no attribute 'size'"; an array [0, 0] kept the last of two values
    _, G = _population(3)
    G.set("v", [1, 2] * u.mV, neurons=[0, 2])
    G.set("v", 5 * u.mV, neurons=[-2])
    assert G.v.to("mV").magnitude.tolist() == pytest.approx([1, 5, 2], rel=1e-12)
    for neurons, said in (([0, 0], "selects neuron 0 more than once; give each neuron once"),
                          (np.array([2, -1]), "selects neuron 2 more than once"), ([], "selects none of its 3 neurons")):
        with pytest.raises(ConfigError, match=re.escape(f"population 'G' (model 'items'): set 'v': neurons: {said}")):
            G.set("v", [3, 4][:len(neurons)] * u.mV, neurons=neurons)
    assert G.v.to("mV").magnitude.tolist() == pytest.approx([1, 5, 2], rel=1e-12)

"""Single precision: float32 state and maths, the precision mark, accuracy against double
precision and a closed form, determinism, and one-line errors for what float32 cannot do."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.catalog.experiment import Experiment
from snnzoo.cli import main
from snnzoo.engine import simulation
from snnzoo.errors import ConfigError, SimulationError
from snnzoo.results.tree import PROVENANCE_KEY, open_result

SPIKE_COUNT_TOLERANCE = 1
"""Spikes per neuron by which single and double precision may differ on the small experiments below
(docs/precision.md: 0 on every neuron of these experiments when measured)."""


def _one_line(err: str, *fragments: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("snnzoo: error: "), err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def _counts(tree) -> dict[str, np.ndarray]:
    return {name: node["spike_count"].values for name, node in tree.children.items() if "spike_count" in node.dataset}


def _adex(precision: str, n: int = 50, **network) -> sz.Network:
    """W6 in small: uncoupled AdEx neurons under currents from 0 to 600 pA."""
    net = sz.Network(dt=0.1 * u.ms, seed=5, precision=precision, **network)
    net.add_population("adex", "adex", n, integrator="euler", refractory=2 * u.ms, initial={"v": "E_L", "w": 0 * u.pA})
    net.add_stimulus(sz.stimulus("constant_current", amplitude=600e-12 * np.arange(n) / (n - 1) * u.A), "adex")
    net.record("adex", ["v", "w"], neurons=[0, n - 1])
    return net


def test_single_precision_state_and_recordings_are_float32_and_the_result_is_marked():
    net = _adex("single")
    net.run(50 * u.ms)
    assert net.population("adex").v.magnitude.dtype == np.float32
    tree = net.result()
    assert tree["adex"]["v"].dtype == np.float32 and tree["adex"]["v"].attrs["units"] == "V"
    assert tree.attrs["precision"] == "single"
    assert json.loads(tree.attrs[PROVENANCE_KEY])["precision"] == "single"
    double = _adex("double")
    double.run(1 * u.ms)
    assert double.result().attrs["precision"] == "double" and double.result()["adex"]["v"].dtype == np.float64


@pytest.mark.parametrize("name", ["adex-firing-patterns", "hh-current-step", "lif-spike-input"])
def test_spike_counts_match_double_precision_on_small_experiments(name):
    double, single = (Experiment.load(name, [f'precision="{p}"']).run() for p in ("double", "single"))
    assert single.attrs["precision"] == "single"
    for population, counts in _counts(double).items():
        assert np.abs(_counts(single)[population] - counts).max() <= SPIKE_COUNT_TOLERANCE, population


def test_lif_relaxation_is_within_float32_rounding_of_the_exact_value():
    """v(t) = EL + (v0 - EL) exp(-t/tau), integrated exactly step by step in float32.

    Each step rounds v - EL, its product with c = exp(-dt/tau) and the sum with EL (at most
    3 float32 ulps of |EL| + |v0 - EL|), and the decay c is rounded once (relative error
    eps/2, which after n steps weighs n c**(n - 1) <= 1/(e (1 - c)) times v0 - EL). Errors
    shrink by c each step, so the total stays below eps (|EL| + |v0 - EL|) (3 + 1/(2e)) / (1 - c).
    """
    tau, dt, el, v0 = 20e-3, 1e-4, -0.07, 0.01
    model = sz.NeuronModel("relax", "dv/dt = (EL - v)/tau : volt", {"EL": f"{el * 1e3} mV", "tau": f"{tau * 1e3} ms"},
                           integrator="exact")
    net = sz.Network(dt=dt * u.s, seed=1, precision="single")
    net.add_population("p", model, 1, initial={"v": v0 * u.V})
    net.record("p", "v")
    net.run(100 * u.ms)
    tree = net.result()
    t = tree["p"]["time"].values
    recorded = tree["p"]["v"].values[:, 0].astype(np.float64)
    exact = el + (v0 - el) * np.exp(-t / tau)
    c = np.exp(-dt / tau)
    bound = np.finfo(np.float32).eps * (abs(el) + abs(v0 - el)) * (3 + 1 / (2 * np.e)) / (1 - c)
    assert np.abs(recorded - exact).max() <= bound
    assert np.abs(recorded - exact).max() > 0  # float32, not float64 in disguise


def test_float32_exp_and_exprel_are_within_one_and_a_half_and_two_and_a_half_ulps():
    from numba import njit

    from snnzoo.engine.runtime import exprel32, fexp32

    @njit
    def both(x):
        e, r = np.empty_like(x), np.empty_like(x)
        for i in range(x.size):
            e[i], r[i] = fexp32(x[i]), exprel32(x[i])
        return e, r

    x = np.concatenate([np.linspace(-103, 88.7, 20001), np.linspace(-2, 2, 4001), [0.0]]).astype(np.float32)
    e, r = both(x)
    assert e.dtype == r.dtype == np.float32
    wide = x.astype(np.float64)
    exact_e = np.exp(wide)
    exact_r = np.where(wide == 0, 1.0, np.expm1(wide) / np.where(wide == 0, 1.0, wide))
    normal = exact_e >= np.finfo(np.float32).tiny
    assert (np.abs(e - exact_e)[normal] <= 1.5 * np.spacing(exact_e[normal].astype(np.float32))).all()
    assert (np.abs(r - exact_r) <= 2.5 * np.spacing(exact_r.astype(np.float32))).all()
    specials = np.array([np.nan, np.inf, -np.inf, 89.0, -104.0], dtype=np.float32)
    e, _ = both(specials)
    assert np.isnan(e[0]) and e[1] == np.inf and e[2] == 0 and e[3] == np.inf and e[4] == 0


def test_single_precision_is_deterministic_across_runs_chunkings_and_threads(monkeypatch):
    def spikes(threads=1):
        net = _adex("single", n=2100, threads=threads)  # above PARALLEL_MIN_SIZE, so 2 threads share the loop
        net.run(60 * u.ms)
        tree = net.result()
        return tree["adex"]["spike_time"].values, tree["adex"]["spike_neuron"].values, tree["adex"]["v"].values

    first, second, shared = spikes(), spikes(), spikes(threads=2)
    monkeypatch.setattr(simulation, "CHUNK_STEPS", 37)
    chunked = spikes()
    for a, b, c, d in zip(first, second, chunked, shared):
        assert np.array_equal(a, b) and np.array_equal(a, c) and np.array_equal(a, d)
    assert first[0].size > 1000


def test_spike_times_stay_exact_multiples_of_dt():
    net = _adex("single", n=100)
    net.run(300 * u.ms)
    times = net.result()["adex"]["spike_time"].values
    steps = np.round(times / 1e-4).astype(np.int64)
    assert times.size and np.array_equal(times, steps * 1e-4)


def test_an_unknown_precision_is_one_line(capsys):
    with pytest.raises(ConfigError, match="precision 'half' is not known; expected one of: double, single"):
        sz.Network(precision="half")
    assert main(["run", "adex-firing-patterns", "--precision", "half"]) == 2
    _one_line(capsys.readouterr().err, "'half'", "double", "single")


def test_a_parameter_float32_cannot_hold_is_refused_before_the_run(tmp_path, capsys):
    net = _adex("single")
    net.population("adex").C_m = 1e-40 * u.F
    with pytest.raises(ConfigError, match=r"population 'adex': parameter C_m = 1e-40 underflows in single precision"):
        net.run(1 * u.ms)
    assert net.step == 0
    huge = sz.Network(precision="single")
    huge.add_population("p", "adex", 2, parameters={"tau_w": 1e40 * u.s})
    with pytest.raises(ConfigError, match=r"parameter tau_w = 1e\+40 overflows"):
        huge.run(1 * u.ms)
    output = tmp_path / "out.nc"
    code = main(["run", "adex-firing-patterns", "-q", "--precision", "single", "-o", str(output),
                 "--set", "populations.adex.parameters.g_L=1e-45 S"])
    assert code == 2 and not output.exists()
    _one_line(capsys.readouterr().err, "g_L", "1e-45", "single precision")


@pytest.mark.parametrize("weight, problem", [(1e40, r"1e\+40 overflows"), (1e-40, "1e-40 underflows")])
def test_projection_and_poisson_input_weights_float32_cannot_hold_are_refused_by_name(weight, problem):
    """A Poisson input's weight was not checked: 1e40 V made v infinite at every step, and the run went on
    (an infinite v spikes and is reset); a projection's weight was named "projection 0 onto population 'p'"."""
    poisson = sz.Network(precision="single")
    poisson.add_population("p", "lif", 2)
    poisson.add_poisson_input("p", "v", 100, 500 * u.Hz, weight * u.V, name="drive")
    with pytest.raises(ConfigError, match=f"^Poisson input 'drive' onto population 'p': weight = {problem} in single"):
        poisson.run(1 * u.ms)
    projection = sz.Network(precision="single")
    projection.add_population("p", "lif", 2)
    projection.connect("p", "p", "v += w", all_to_all=True, weight=weight * u.V, name="recurrent")
    with pytest.raises(ConfigError, match=f"^projection 'recurrent': weight = {problem} in single"):
        projection.run(1 * u.ms)


@pytest.mark.parametrize("name, settings", [("w", {"initial": {"w": 1e40}}), ("scale", {"parameters": {"scale": 1e40}})])
def test_a_synapse_model_value_that_overflows_float32_is_refused_and_a_tiny_one_is_not(name, settings):
    """Synapse models are float64, but what they write into a neuron is float32: w = 1e40 made v infinite at
    the first spike, and the error blamed the model ('diverges ... or unstable at this dt')."""
    net = sz.Network(precision="single", seed=0)
    net.add_source("pre", sz.stimulus("spike_generator", times=[1] * u.ms))
    net.add_population("post", sz.NeuronModel("cell", "dv/dt = -v/(10*ms) : 1"), 1)
    model = sz.SynapseModel("jump", "w : 1", {"scale": 1}, on_pre="v_post += w*scale")
    net.connect("pre", "post", synapse=model, all_to_all=True, **settings)
    with pytest.raises(ConfigError, match=rf"^synapse model 'jump' onto population 'post': {name} = 1e\+40 overflows "
                                          "in single precision"):
        net.run(5 * u.ms)
    tiny = sz.Network(precision="single", seed=0)
    tiny.add_source("pre", sz.stimulus("spike_generator", times=[1] * u.ms))
    tiny.add_population("post", sz.NeuronModel("cell", "dv/dt = -v/(10*ms) : 1"), 1)
    tiny.connect("pre", "post", synapse=sz.SynapseModel("jump", "w : 1", on_pre="v_post += w"), all_to_all=True,
                 initial={"w": 1e-40})
    tiny.run(5 * u.ms)


def test_a_value_float32_cannot_hold_is_refused_before_any_run_of_a_sweep_and_blamed_on_itself(tmp_path, capsys,
                                                                                               monkeypatch):
    """A sweep ran every point and recorded the overflowing one as failed; `run` said "...: duration: projection ..."."""
    from snnzoo.sweeps import worker

    spec = tmp_path / "drive.toml"
    spec.write_text('duration = "5 ms"\nprecision = "single"\n[populations.p]\nmodel = "lif"\nsize = 2\n'
                    '[sources.s]\ntype = "poisson_group"\nsize = 2\nrate = "50 Hz"\n'
                    '[projections.drive]\nsource = "s"\ntarget = "p"\non = "v"\nweight = "1 mV"\nall_to_all = true\n')
    monkeypatch.setattr(worker, "run_task", lambda task: pytest.fail(f"run {task.key} ran"))
    with pytest.raises(ConfigError, match=r"^grid point projections.drive.weight = 1e\+43 mV: experiment 'drive': "
                                          r"projection 'drive': weight = 1e\+40 overflows in single precision"):
        sz.sweep(str(spec), {"projections.drive.weight": ["1 mV", "1e40 V"]}, workers=1, out=tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert main(["run", str(spec), "-q", "-o", str(tmp_path / "r.nc"), "--set", 'projections.drive.weight="1e40 V"']) == 2
    _one_line(capsys.readouterr().err, "drive.toml: projection 'drive': weight = 1e+40 overflows")


def test_a_model_constant_float32_cannot_hold_is_refused():
    model = sz.NeuronModel("tiny", "dv/dt = (1e-50*exp(v) - v)/(10*ms) : 1")
    net = sz.Network(precision="single")
    net.add_population("p", model, 1)
    with pytest.raises(ConfigError, match=r"^population 'p' \(model 'tiny'\): equation 'dv/dt = \(1e-50\*exp\(v\) - v\)"
                                          r"/\(10\*ms\) : 1': the constant \(in SI units\) = 1e-48 underflows in single"):
        net.run(1 * u.ms)
    double = sz.Network()
    double.add_population("p", model, 1)
    double.run(1 * u.ms)


def test_cli_precision_is_recorded_and_rerun_reproduces_it(tmp_path, capsys):
    output = tmp_path / "single.nc"
    assert main(["run", "adex-firing-patterns", "-q", "--precision", "single", "-o", str(output)]) == 0
    assert "single precision" in capsys.readouterr().out
    tree = open_result(output)
    assert tree.attrs["precision"] == "single" and tree["adex"]["v"].dtype == np.float32
    assert main(["rerun", str(output), "-q", "-o", str(tmp_path / "again.nc")]) == 0
    assert "identical" in capsys.readouterr().out
    assert open_result(tmp_path / "again.nc").attrs["precision"] == "single"


def test_an_exponential_that_overflows_float32_as_the_neuron_spikes_is_reset_not_refused():
    """A steep AdEx exponential (Delta_T 0.5 mV, cutoff 40 mV) overflows float32, not float64, in
    the step of the spike; the reset brings v back, as the same runaway does in double precision."""
    counts = {}
    for precision in ("double", "single"):
        net = sz.Network(dt=0.1 * u.ms, seed=1, precision=precision)
        net.add_population("n", "adex", 1, parameters={"Delta_T": 0.5 * u.mV, "V_spike": 40 * u.mV},
                           initial={"v": "E_L"}, integrator="euler")
        net.add_stimulus(sz.stimulus("constant_current", amplitude=500 * u.pA), "n")
        net.run(200 * u.ms)
        counts[precision] = net.result()["n"]["spike_count"].values
    assert counts["single"].sum() > 2 and np.array_equal(counts["single"], counts["double"])


def test_an_exponential_that_overflows_float64_at_an_rk2_midpoint_as_the_neuron_spikes_is_reset():
    """v = -22 mV, 28 slopes of Delta_T above V_T: rk2's midpoint overflows float64 in the step of the spike.
    Brian2 resets the neuron and goes on; double precision stopped the run ('v became inf')."""
    model = sz.NeuronModel("eif", "dv/dt = (E_L - v + Delta_T*exp((v - V_T)/Delta_T))/tau : volt",
                           {"E_L": "-70 mV", "V_T": "-50 mV", "Delta_T": "2 mV", "tau": "10 ms", "V_r": "-60 mV"},
                           threshold="v > -20*mV", reset="v = V_r", initial={"v": "-22*mV"}, integrator="rk2")
    for precision in ("double", "single"):
        net = sz.Network(dt=0.1 * u.ms, seed=1, precision=precision)
        net.add_population("p", model, 1)
        net.record("p", "v")
        net.run(1 * u.ms)
        record = net.records()[0]
        v = record.states[0].data["v"][:, 0]
        reset = np.float32(-0.06) if precision == "single" else -0.06
        assert list(record.spike_times) == [0.0] and v[1] == reset
        assert np.all(np.diff(v[1:]) < 0), "after the reset v relaxes towards E_L"


def test_state_that_overflows_float32_without_a_spike_stops_the_run():
    model = sz.NeuronModel("growth", "dv/dt = v/ms : 1", threshold="v < -1", initial={"v": 1})
    net = sz.Network(dt=0.1 * u.ms, precision="single")
    net.add_population("p", model, 1)
    with pytest.raises(SimulationError, match=r"population 'p': variable v of neuron 0 became inf"):
        net.run(100 * u.ms)


@pytest.mark.parametrize("precision", ["double", "single"])
@pytest.mark.parametrize("equations, reset, variable", [
    ("dv/dt = v/ms : 1", "", "v"),  # no reset: v stays infinite and above the threshold
    ("dv/dt = w/ms : 1\ndw/dt = w/ms : 1", "v = 0", "w"),  # the reset leaves w infinite (v + w overflows first)
])
def test_state_that_overflows_while_the_neuron_spikes_stops_the_run_in_both_precisions(precision, equations,
                                                                                         reset, variable):
    """Single precision went on with an infinite state as long as the neuron spiked in every step, and
    double precision named no variable ('variable ? ... became NaN') when finite values summed to inf."""
    model = sz.NeuronModel("growth", equations, threshold="v > 1", reset=reset,
                           initial={"v": 2, "w": 1} if "w" in equations else {"v": 2})
    net = sz.Network(dt=0.1 * u.ms, precision=precision)
    net.add_population("p", model, 1, integrator="euler")
    with pytest.raises(SimulationError, match=rf"^population 'p': variable {variable} of neuron 0 became inf at t = "):
        net.run(1000 * u.ms)


def test_a_derived_constant_that_overflows_float32_is_blamed_on_the_values_not_dt():
    """g**2 = 1e40 is computed once from g = 1e20 (which float32 holds), and overflows it."""
    model = sz.NeuronModel("square", "dv/dt = g**2/ms : 1", {"g": 1e20})
    net = sz.Network(dt=0.1 * u.ms, precision="single")
    net.add_population("p", model, 1, integrator="euler")
    with pytest.raises(SimulationError, match=r"^population 'p': variable v of neuron 0 became inf at t = 0\.0001 s, "
                                              r"in the first step of the run, from finite values: an expression of "
                                              r"model 'square' is undefined or too large for these parameter"):
        net.run(1 * u.ms)


def test_a_divergence_in_the_second_step_counts_one_finite_step():
    """A time constant of 1e-30 s (float32 holds it) makes forward Euler diverge at once; 'after 1 steps'."""
    model = sz.NeuronModel("fast", "dv/dt = (1 - v)/tau : 1", {"tau": "1e-30 s"})
    net = sz.Network(dt=0.1 * u.ms, precision="single")
    net.add_population("p", model, 1, integrator="euler")
    with pytest.raises(SimulationError, match=r"became -inf at t = 0\.0002 s, after 1 step with finite values: "):
        net.run(1 * u.ms)


def test_a_timed_array_reads_the_right_step_late_in_a_long_single_precision_run():
    """The value of step n is read at step n for a million steps (100 s): the time a timed array
    is read at is kept in float64 (a float32 t reads the previous step from about 64 s on)."""
    steps = 1_000_000
    stim = sz.TimedArray(np.arange(steps, dtype=float) * u.dimensionless, dt=0.1 * u.ms, name="stim")
    model = sz.NeuronModel("reader", "dv/dt = -v/tau : 1\nx = stim(t) : 1", {"tau": "10 ms"},
                           functions={"stim": stim})
    net = sz.Network(dt=0.1 * u.ms, seed=0, precision="single")
    net.add_population("p", model, 1)
    net.record("p", "x")
    net.run(steps * 0.1 * u.ms)
    x = net.records()[0].states[0].data["x"][:, 0]
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x, np.arange(steps, dtype=np.float32))


@pytest.mark.parametrize("dt, problem", [("1e-45 s", "1e-45 underflows"), ("1e39 s", "1e+39 overflows")])
def test_a_time_step_float32_cannot_hold_is_refused(dt, problem):
    """The kernel's maths holds dt in float32: 1e-45 s became the subnormal 1.4e-45 (dv/dt = 1e10/second gave
    1.4e-35 after one step, not 1e-35)."""
    ramp = sz.NeuronModel("ramp", "dv/dt = 1e10/second : 1")
    net = sz.Network(dt=dt, precision="single")
    net.add_population("p", ramp, 1, integrator="euler")
    with pytest.raises(ConfigError, match=rf"^dt \(in s\) = {re.escape(problem)} in single precision"):
        net.check_precision_fits()
    with pytest.raises(ConfigError, match=rf"^dt \(in s\) = {re.escape(problem)} in single precision"):
        net.run(dt)
    double = sz.Network(dt=dt)
    double.add_population("p", ramp, 1, integrator="euler")
    double.run(dt)
    assert double.population("p").v.magnitude[0] == pytest.approx(1e10 * float(dt.split()[0]))

"""The catalog experiments that reproduce the Brian2 seed tutorials, against Brian2 2.9.0.

Reference data: tests/reference/brian2_<experiment>.json, written by
benchmarks/brian2_seed_references.py (see tests/reference/README.md). The deterministic
experiments must give Brian2's spike steps exactly; the stochastic ones are compared by
statistics against Brian2's mean and seed-to-seed spread, using the statistic functions of
that same script (it imports Brian2 only inside its Brian2 functions).
"""

from __future__ import annotations

import importlib.util
import json
import math
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from snnzoo.catalog.experiment import Experiment

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "reference"

_spec = importlib.util.spec_from_file_location("brian2_seed_references", ROOT / "benchmarks" / "brian2_seed_references.py")
stats = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(stats)

SNNZOO_SEEDS = (1, 2, 3)   # seeds of the stochastic experiments run here (Brian2's are in the reference files)
Z = 4.5                    # tolerance in standard errors of the difference of the two means


def reference(experiment: str) -> dict:
    return json.loads((REFERENCE / f"brian2_{experiment.replace('-', '_')}.json").read_text())


@cache
def run(experiment: str, seed: int | None = None):
    return Experiment.load(experiment).run(seed=seed)


def spikes(tree, group: str) -> tuple[np.ndarray, np.ndarray]:
    """(steps, neurons) of a population or source, sorted by step then neuron."""
    ds = tree[group].to_dataset()
    dt = tree.attrs["dt"]
    steps = np.round(ds["spike_time"].values / dt).astype(np.int64)
    np.testing.assert_allclose(ds["spike_time"].values, steps * dt, rtol=0, atol=1e-12)
    neurons = ds["spike_neuron"].values.astype(np.int64)
    order = np.lexsort((neurons, steps))
    return steps[order], neurons[order]


def assert_close_to_brian(name: str, mine: list[float], summary: dict) -> None:
    """The mean over snnzoo seeds lies within Z standard errors of Brian2's mean over its seeds."""
    values = np.asarray(mine, dtype=float)
    values = values[np.isfinite(values)]
    assert values.size, f"{name}: no finite value over the snnzoo seeds"
    error = summary["std"] * math.sqrt(1 / summary["n"] + 1 / values.size)
    assert abs(values.mean() - summary["mean"]) <= Z * error + 1e-12 * abs(summary["mean"]), (
        f"{name}: snnzoo {values.mean():.4g} (seeds {values.round(4).tolist()}) vs Brian2 "
        f"{summary['mean']:.4g} +- {summary['std']:.3g} (sd over {summary['n']} seeds)")


# -- deterministic: spike steps identical to Brian2's -----------------------------------------------------------------

DETERMINISTIC = {
    # experiment: {population: {variable: (rtol, atol) for the trace comparison}}
    "lif-spike-input": {"out": {"v": (1e-12, 1e-15)}},
    "lif-synaptic-current": {"out": {"v": (1e-12, 1e-15), "I": (1e-12, 1e-15)}},
    "adaptive-threshold-lif": {"out": {"v": (1e-12, 1e-15), "vt": (1e-12, 1e-15)}},
    # exponential Euler on HH: snnzoo's exp/exprel differ from numpy's in the last bits
    "hh-synaptic-input": {"hh": {"v": (0, 1e-11), "ge": (0, 1e-18)}},
}


@pytest.mark.parametrize("experiment", DETERMINISTIC)
def test_spike_steps_equal_brian2(experiment):
    ref, tree = reference(experiment), run(experiment)
    assert tree.attrs["dt"] == ref["dt"] and tree.attrs["duration"] == pytest.approx(ref["duration"])
    for group, steps in ref["spike_steps"].items():
        mine_steps, mine_neurons = spikes(tree, group)
        np.testing.assert_array_equal(mine_steps, steps, err_msg=f"{experiment}: spike steps of {group}")
        np.testing.assert_array_equal(mine_neurons, ref["spike_neurons"][group], err_msg=f"{experiment}: {group}")


@pytest.mark.parametrize("experiment", DETERMINISTIC)
def test_traces_equal_brian2(experiment):
    ref, tree = reference(experiment), run(experiment)
    every = ref["trace_every_steps"]
    for population, variables in DETERMINISTIC[experiment].items():
        ds = tree[population].to_dataset()
        for variable, (rtol, atol) in variables.items():
            theirs = np.asarray(ref["traces"][population][variable])      # (neuron, sample)
            mine = ds[variable].values[::every].T                          # (neuron, sample)
            assert mine.shape == theirs.shape
            np.testing.assert_allclose(mine, theirs, rtol=rtol, atol=atol, err_msg=f"{experiment}: {variable}")


def test_hh_synaptic_input_fires_once_after_the_fourth_input():
    """The notebook's accelerating input: 4 spikes with shrinking intervals, then silence from 150 ms."""
    tree = run("hh-synaptic-input")
    steps, _ = spikes(tree, "input")
    assert steps.tolist() == [707, 1000, 1225, 1415]
    assert np.all(np.diff(np.diff(steps)) < 0)
    ge = tree["hh"].to_dataset()["ge"].values[:, 0]
    assert ge[708] == pytest.approx(2e-9, rel=1e-3)   # we = 2 nS just after the first input


# -- reliable spike timing (stochastic): statistics against Brian2 over seeds -----------------------------------------

CONDITIONS = ("lif_const", "lif_frozen", "pif_const", "pif_frozen")


@cache
def reliable_stats() -> dict[str, dict[str, list[float]]]:
    out = {c: {} for c in CONDITIONS}
    for seed in SNNZOO_SEEDS:
        tree = run("reliable-spike-timing", seed)
        for condition in CONDITIONS:
            for key, value in stats.reliable_timing_stats(*spikes(tree, condition)).items():
                out[condition].setdefault(key, []).append(value)
    return out


@pytest.mark.parametrize("condition", CONDITIONS)
def test_reliable_spike_timing_statistics_match_brian2(condition):
    summary = reference("reliable-spike-timing")["summary"][condition]
    for key, values in reliable_stats()[condition].items():
        assert_close_to_brian(f"{condition} {key}", values, summary[key])


def test_frozen_noise_makes_the_leaky_neuron_reliable():
    """Mainen & Sejnowski: the same fluctuating input makes trials fire together, a constant one does not."""
    mine = reliable_stats()
    for seed_index in range(len(SNNZOO_SEEDS)):
        assert mine["lif_frozen"]["reliability"][seed_index] > 2 * mine["lif_const"]["reliability"][seed_index]
    # the perfect integrator under constant drive fires regularly, the noise-driven LIF irregularly
    assert np.mean(mine["pif_const"]["isi_cv"]) < 0.5 * np.mean(mine["lif_const"]["isi_cv"])


def test_reliable_spike_timing_inputs_are_shared_and_switched_on_at_10_ms():
    tree = run("reliable-spike-timing", SNNZOO_SEEDS[0])
    lif = tree["lif_frozen"].to_dataset()
    source = tree["input_lif_frozen"].to_dataset()["x"].values[:, 0]
    current = lif["I"].values                     # neurons 0, 1, 2 all see the one input
    assert np.all(current[:100] == 0) and np.all(current[9501:] == 0)
    np.testing.assert_array_equal(current[101:9500], np.repeat(source[101:9500, None], 3, axis=1))
    assert abs(source[1000:].mean() - 1.5) < 0.15 and abs(source[1000:].std() - 1.0) < 0.15


# -- lif-poisson-inputs: simulation 1 exactly, the Poisson simulations by statistics ----------------------------------


def test_lif_poisson_inputs_simulation_1_equals_brian2():
    ref = reference("lif-poisson-inputs")["exc_spikes"]
    tree = run("lif-poisson-inputs", SNNZOO_SEEDS[0])
    assert spikes(tree, "exc_spikes")[0].tolist() == ref["spike_steps"]
    assert spikes(tree, "spike_times")[0].tolist() == ref["input_spike_steps"]
    theirs = np.asarray(ref["v"])
    mine = tree["exc_spikes"].to_dataset()["v"].values[: theirs.size, 0]
    np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=0)


@cache
def poisson_stats() -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for seed in SNNZOO_SEEDS:
        tree = run("lif-poisson-inputs", seed)
        groups = ("exc_spikes", "exc_poisson", "inh_poisson", "balanced", "poisson_e", "poisson_i", "pool_e", "pool_i")
        traces = {p: tree[p].to_dataset()["v"].values[:, 0] for p in ("exc_poisson", "inh_poisson", "balanced")}
        for key, value in stats.lif_poisson_stats({g: spikes(tree, g) for g in groups}, traces).items():
            out.setdefault(key, []).append(value)
    return out


def test_lif_poisson_inputs_statistics_match_brian2():
    summary = reference("lif-poisson-inputs")["summary"]
    mine = poisson_stats()
    assert set(mine) == set(summary)
    for key, values in mine.items():
        if summary[key]["std"] < 1e-9 * max(abs(summary[key]["mean"]), 1):  # the same in every Brian2 seed
            np.testing.assert_allclose(values, summary[key]["mean"], rtol=1e-9, atol=0, err_msg=key)
        else:
            assert_close_to_brian(key, values, summary[key])


def test_lif_poisson_inputs_connects_only_source_0_as_the_lab_code_does():
    tree = run("lif-poisson-inputs", SNNZOO_SEEDS[0])
    projection = tree["projections"]["poisson_e_to_exc"].to_dataset()
    assert projection.sizes["synapse"] == 1
    assert tree["projections"]["poisson_i_to_inh"].to_dataset().sizes["synapse"] == 100

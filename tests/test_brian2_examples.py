"""The ports of Brian2's example scripts in ``examples/brian2/`` against Brian2 2.9 on the same
model and parameters (``benchmarks/brian2_example_references.py`` and
``benchmarks/brian2_language_references.py``): spike for spike where the input is
deterministic, on statistics over seeds where it is not."""

from __future__ import annotations

import importlib
import json
import math
import sys
from pathlib import Path

import numpy as np

from snnzoo import ureg as u

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "examples" / "brian2"))

from brian2_example_references import DT, population_stats  # noqa: E402


def reference(name: str) -> dict:
    return json.loads((ROOT / "tests" / "reference" / f"brian2_{name}.json").read_text())


def port(name: str):
    return importlib.import_module(name)


def spike_steps(record) -> np.ndarray:
    return np.rint(record.spike_times / DT).astype(np.int64)


def test_lif_fi_curve_spike_for_spike():
    ref = reference("example_lif_fi_curve")
    net = port("lif_fi_curve").build()
    net.run(ref["duration"] * u.second)
    record = net.records()[0]
    np.testing.assert_array_equal(record.spike_counts, ref["counts"])
    first = [int(spike_steps(record)[record.spike_neurons == k][0]) if record.spike_counts[k] else -1
             for k in range(record.size)]
    assert first == ref["first_spike_steps"]
    assert sum(ref["counts"]) > 20000  # most neurons fire


def test_refractory_input_spike_for_spike():
    ref = reference("refractory_input")
    net = port("refractory_input").build()
    net.run(ref["duration"] * u.second)
    record = net.records()[0]
    assert spike_steps(record).tolist() == ref["spike_steps"]
    np.testing.assert_allclose(record.states[0].data["v"][:, 0], ref["v"], rtol=0, atol=1e-15)


def seeds_statistics(name: str, duration: float, seeds) -> list[dict[str, float]]:
    stats = []
    for seed in seeds:
        net = port(name).build(seed=seed)
        net.run(duration * u.second)
        record = net.records()[0]
        stats.append(population_stats(spike_steps(record), record.size, int(round(duration / DT))))
    return stats


def assert_same_statistics(ours: list[dict[str, float]], ref: dict, sigmas: float = 4.0) -> None:
    """Each statistic's mean over our seeds lies within ``sigmas`` standard errors of the
    difference from Brian2's mean over its seeds (Brian2's seed-to-seed sd for both sides)."""
    for key, theirs in ref["summary"].items():
        mean = np.mean([s[key] for s in ours])
        error = theirs["sd"] * math.sqrt(1 / len(ours) + 1 / theirs["n"])
        assert abs(mean - theirs["mean"]) < sigmas * error, (key, mean, theirs)


def test_cuba_with_exact_matches_brian2_statistics():
    ref = reference("example_cuba")
    assert_same_statistics(seeds_statistics("cuba", ref["duration"], (1, 2)), ref)


def test_brunel_hakim_1999_matches_brian2_statistics():
    ref = reference("example_brunel_hakim")
    ours = seeds_statistics("brunel_hakim_1999", ref["duration"], (1, 2))
    assert_same_statistics(ours, ref)
    assert min(s["rate_cv"] for s in ours) > 1.0  # the population oscillates (a Poisson population would give ~0.3)


def test_brunel_2000_with_poisson_input_matches_brian2_statistics():
    ref = reference("example_brunel_2000")
    assert_same_statistics(seeds_statistics("brunel_2000", ref["duration"], (1, 2)), ref)


def test_adaptive_threshold_matches_brian2_statistics():
    """20 independent copies of the one-neuron example against Brian2's one neuron over 10 seeds."""
    from brian2_example_references import spike_train_stats

    ref = reference("example_adaptive_threshold")
    net = port("adaptive_threshold").build(copies=20)
    net.run(ref["duration"] * u.second)
    record = net.records()[0]
    steps = spike_steps(record)
    ours = [spike_train_stats(steps[record.spike_neurons == k], ref["duration"]) for k in range(20)]
    assert_same_statistics(ours, ref)


def test_timed_array_input_spike_for_spike():
    ref = reference("example_timed_array_input")
    net = port("timed_array_input").build()
    assert net.populations["G"].integrator.name == "exact"
    net.run(ref["duration"] * u.second)
    record = net.records()[0]
    assert spike_steps(record).tolist() == ref["spike_steps"]
    assert record.spike_neurons.tolist() == ref["spike_neurons"]

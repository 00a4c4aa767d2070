"""Smoke test of the network benchmark workloads W3, W4, W5 (benchmarks/workloads.py) at small sizes.

Checks that the builders make the networks WORKLOADS.md describes (sizes, connection
probabilities, weights, no autapses in W5, 4 bytes per synapse with a shared weight) and
that short runs give plausible rates. No timing is asserted; the benchmark itself is
``benchmarks/run.py --workloads W3,W4,W5``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from snnzoo import ureg as u

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def workloads():
    spec = importlib.util.spec_from_file_location("bench_workloads", ROOT / "benchmarks" / "workloads.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _rates(net, groups, seconds):
    counts = next(r.spike_counts for r in net.records() if r.name == "G")
    return {g: counts[a:b].sum() / ((b - a) * seconds) for g, (a, b) in groups.items()}


def _bytes_per_synapse(net):
    total = sum(p.size for p in net.projections.values())
    return sum(p.bytes_per_synapse() * p.size for p in net.projections.values()) / total


def test_w3_coba_small(workloads):
    n = 800
    net = workloads.w3(n, seed=3)
    projections = net.projections
    assert set(projections) == {"excitatory", "inhibitory"}
    exc, inh = projections["excitatory"], projections["inhibitory"]
    assert exc.size == pytest.approx(640 * n * 0.02, rel=0.1)
    assert inh.size == pytest.approx(160 * n * 0.02, rel=0.2)
    assert exc.synapses.pre.max() < 640 <= inh.synapses.pre.min()
    assert np.all(exc.weights().to("dimensionless").magnitude == 0.6)
    assert _bytes_per_synapse(net) <= 16
    net.run(200 * u.ms)
    rates = _rates(net, workloads.groups("W3", n), 0.2)
    # I = 20 mV drives every neuron above threshold: tens of Hz, both populations firing
    assert 5 < rates["all"] < 150
    assert rates["exc"] > 1 and rates["inh"] > 1


def test_w4_zerlaut_small(workloads):
    n = 1000
    net = workloads.w4(n, seed=2)
    assert set(net.projections) == {"afferent", "excitatory", "inhibitory"}
    assert net.sources["P"].size == 100
    assert net.projections["afferent"].size == pytest.approx(100 * n * 0.1, rel=0.1)
    assert net.projections["excitatory"].size == pytest.approx(800 * n * 0.05, rel=0.1)
    vt = net.populations["G"].get("Vt").to("mV").magnitude
    assert np.allclose(vt[:800], -50) and np.allclose(vt[800:], -53)
    v0 = net.populations["G"].get("v").to("mV").magnitude
    assert -70 <= v0.min() and v0.max() <= -55
    assert _bytes_per_synapse(net) <= 16
    net.run(300 * u.ms)
    rates = _rates(net, workloads.groups("W4", n), 0.3)
    # nearly silent (only afferent-driven, WORKLOADS.md: ~0.1-0.5 Hz at full size)
    assert 0 <= rates["all"] < 5
    poisson = next(r for r in net.records() if r.name == "P").spike_counts.sum()
    assert 0 < poisson < 100 * 4 * 0.3 * 3


def test_w5_adex_net(workloads):
    net = workloads.w5(seed=4)
    for proj in net.projections.values():
        assert not np.any(proj.synapses.pre == proj.synapses.post), "W5 excludes autapses"
    assert net.projections["excitatory"].synapses.pre.max() < 80 <= net.projections["inhibitory"].synapses.pre.min()
    we = net.projections["excitatory"].weights().to("nS").magnitude
    wi = net.projections["inhibitory"].weights().to("nS").magnitude
    assert np.allclose(we, 2.0) and np.allclose(wi, 8.0)
    net.run(1 * u.s)
    rates = _rates(net, workloads.groups("W5"), 1.0)
    # noise-driven AdEx network: a few Hz (Brian2: median 5 Hz over 10 s; rare realisations switch to ~15-20 Hz)
    assert 1 < rates["all"] < 40


def test_run_worker_network_fields():
    """The harness's worker reports rates per group, synapses and bytes per synapse for networks."""
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    out = run.worker("W3", 400, repeat=1, seeds=2)
    assert out["seeds"] == [1, 2] and len(out["run_s"]) == 2
    assert set(out["rates_hz"][0]) == {"all", "exc", "inh"}
    assert out["synapses"] > 0 and out["bytes_per_synapse"] <= 16
    assert run.rate_stats(out["rates_hz"], "all")[2] == 2

"""Kernels found by structure key: every structural change gives another kernel, new values do not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.engine import codegen, kernel_cache, kernel_key

EQUATIONS = "dv/dt = (E_L - v + R*I)/tau : volt\ndge/dt = -ge/tau_e : 1\nI : amp"
PARAMETERS = {"E_L": "-70 mV", "R": "100 Mohm", "tau": "10 ms", "tau_e": "5 ms", "V_th": "-50 mV", "V_reset": "-70 mV"}
PAIR = "w : 1\ndApre/dt = -Apre/(20*ms) : 1 (event-driven)\ndApost/dt = -Apost/(20*ms) : 1 (event-driven)"


def network(equations=EQUATIONS, threshold="v > V_th", reset="v = V_reset", refractory=None, integrator=None,
            synapse=None, record=("v",), neurons=None, parameters=None, amplitude="300 pA", size=4):
    """A small network; each argument changes one kind of input of the kernel."""
    model = sz.NeuronModel("m", equations, PARAMETERS, threshold=threshold, reset=reset, refractory=refractory)
    net = sz.Network(0.1 * u.ms, seed=3)
    net.add_population("p", model, size, integrator=integrator, parameters=parameters or {},
                       initial={"v": "E_L"})
    net.add_stimulus(sz.stimulus("constant_current", amplitude=amplitude), "p")
    if synapse is not None:
        net.connect("p", "p", synapse=synapse, weight=0.5, p=1.0)
    if record:
        net.record("p", list(record), neurons=neurons)
    return net


STRUCTURAL = {
    "equation": dict(equations=EQUATIONS.replace("- v + R*I", "- v + 2*R*I")),
    "integrator": dict(integrator="rk4"),
    "threshold": dict(threshold="v > V_th + 1*mV"),
    "reset": dict(reset="v = V_reset; ge += 1"),
    "refractory": dict(refractory="2 ms"),
    "synapse model": dict(synapse=sz.SynapseModel("pair", PAIR, on_pre="ge += w; Apre += 0.01",
                                                  on_post="Apost += 0.01; w = clip(w + Apre, 0, 1)")),
    "other synapse model": dict(synapse=sz.SynapseModel("pair", PAIR, on_pre="ge += w; Apre += 0.02",
                                                        on_post="Apost += 0.01; w = clip(w + Apre, 0, 1)")),
    "monitored variables": dict(record=("v", "ge")),
    "no monitor": dict(record=()),
    "population size": dict(size=5000),
}


def key_and_source(net, threads=1):
    plan = net._plan()
    return kernel_key.structure_key(plan, threads), codegen.generate(plan, threads)


def test_each_structural_change_gives_another_key_and_equal_keys_mean_equal_sources():
    found = {"base": key_and_source(network())}
    found.update({kind: key_and_source(network(**change)) for kind, change in STRUCTURAL.items()})
    found["two threads"] = key_and_source(network(size=5000), threads=2)
    keys = {kind: key for kind, (key, _) in found.items()}
    assert len(set(keys.values())) == len(keys), keys
    sources = {}
    for key, source in found.values():
        assert sources.setdefault(key, source) == source


def test_an_object_the_plan_reaches_twice_is_described_once(monkeypatch):
    """Projections reach their populations' models again; the key describes each object once
    (a back-reference the second time), and still tells models apart."""
    import sympy

    described = []
    srepr = sympy.srepr
    monkeypatch.setattr(kernel_key, "_SYMPY_TEXTS", {})  # earlier tests described the shared synapse model
    monkeypatch.setattr(sympy, "srepr", lambda expression: described.append(id(expression)) or srepr(expression))
    net = network(synapse=STRUCTURAL["synapse model"]["synapse"])
    net.connect("p", "p", on="ge", weight=0.1, p=0.5, name="second")
    kernel_key.structure_key(net._plan(), 1)
    assert described and len(described) == len(set(described))
    other = network(synapse=STRUCTURAL["synapse model"]["synapse"])
    other.connect("p", "p", on="ge", weight=0.1, p=0.5, name="second")
    assert kernel_key.structure_key(other._plan(), 1) == kernel_key.structure_key(net._plan(), 1)


def test_parameter_and_initial_values_reuse_the_key():
    base, _ = key_and_source(network())
    assert key_and_source(network(parameters={"tau": [10, 11, 12, 13] * u.ms, "E_L": "-65 mV"}))[0] != base  # tau varies
    varied = network(parameters={"tau": [10, 11, 12, 13] * u.ms})
    other = network(parameters={"tau": [20, 21, 22, 23] * u.ms, "E_L": "-60 mV"})
    assert key_and_source(varied)[0] == key_and_source(other)[0]
    again = network(parameters={"E_L": "-60 mV", "V_th": "-40 mV"})
    again.population("p").set("v", -55 * u.mV)
    assert key_and_source(again)[0] == base


def test_a_second_network_with_other_values_is_not_generated_again(monkeypatch):
    network(parameters={"E_L": "-71 mV"}).run(1 * u.ms)
    monkeypatch.setattr(kernel_key, "generate", pytest.fail)
    net = network(parameters={"E_L": "-65 mV", "R": "120 Mohm"})
    net.run(1 * u.ms)
    assert net.records()[0].states[0].data["v"].shape == (10, 4)


RUN = """
import sys
sys.path.insert(0, {tests!r})
import snnzoo as sz
from snnzoo.engine import kernel_key
from test_kernel_key import network
{before}
net = network(parameters={{"E_L": "-68 mV"}})
net.run(2 * sz.ureg.ms)
print(net.population("p").get("v").magnitude.tolist())
"""


def run_fresh(before: str = "") -> str:
    code = RUN.format(tests=str(Path(__file__).parent), before=before)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_a_fresh_process_loads_the_kernel_by_key_without_generating_it():
    expected = run_fresh()
    assert run_fresh("kernel_key.generate = None  # calling it would fail") == expected


def test_a_damaged_key_file_or_kernel_module_is_regenerated(tmp_path, monkeypatch):
    net = network(record=("ge",))
    net.run(1 * u.ms)
    key = kernel_key.structure_key(net._plan(), net._simulation.threads)  # a network this small runs on one
    keys = kernel_cache.cache_dir() / "keys"
    name = (keys / key).read_text()
    module = kernel_cache.cache_dir() / f"{name}.py"
    expected = net.records()[0].states[0].data["ge"]
    for damage in (lambda: (keys / key).write_text("snnzoo_kernel_0000"), lambda: (keys / key).write_bytes(b"\xff"),
                   lambda: module.write_text(module.read_text() + "\n# edited\n")):
        damage()
        kernel_key._modules.clear()
        monkeypatch.delitem(sys.modules, name, raising=False)
        again = network(record=("ge",))
        again.run(1 * u.ms)
        assert (again.records()[0].states[0].data["ge"] == expected).all()
        assert (keys / key).read_text() == name and kernel_cache.load_cached_module(name) is not None


def test_the_code_never_depends_on_the_data_the_key_leaves_out():
    """The key sees only dtypes and dimensions of values, weights, delays and connections: the source
    generated must not change with their contents or their number (if it ever does,
    kernel_key.DATA_FIELDS must shrink)."""
    def connected(weight, delay, tau, v0, w0, p):
        net = network(parameters={"tau": tau * u.ms}, synapse=None)
        net.population("p").set("v", v0 * u.mV)
        net.connect("p", "p", on="ge", weight=weight, delay=delay, p=p)
        net.connect("p", "p", synapse=STRUCTURAL["synapse model"]["synapse"], weight=w0, p=p, name="plastic")
        return net

    first = connected("0.1 + 0.01*i", "0.1*ms*abs(i - j)", [10, 11, 12, 13], [-70, -69, -68, -67], "0.5 - 0.1*i",
                      p=1.0)
    second = connected("0.3 - 0.02*j", "0.1*ms*abs(3 - i - j)", [20, 21, 22, 23], [-60, -61, -62, -63], "0.1*j",
                       p=0.5)  # fewer synapses, as another seed's random connections would have
    assert first.projections["p_to_p"].synapses.post.size != second.projections["p_to_p"].synapses.post.size
    assert key_and_source(first) == key_and_source(second)

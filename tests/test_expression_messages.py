"""An expression with a mistake is quoted as the user wrote it: never with the engine's own names for
``rand()`` (``rand(100009)``, the call's place in the text) or ``int(...)`` (``int_``), nor sympy's
15-digit floats (docs/bad-input.md, "malformed expressions")."""

from __future__ import annotations

import re
import warnings

import pytest

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.errors import SnnzooError

INTERNAL = re.compile(r"rand\(\d|randn\(\d|int_\(|0\.1000000")


def _model(**settings) -> sz.NeuronModel:
    return sz.NeuronModel("m", "dv/dt = (E_L - v)/tau : volt", {"tau": "20 ms", "E_L": "-70 mV", "V_th": "-50 mV"},
                          **{"threshold": "v > V_th", "reset": "v = E_L", **settings})


def _network(**population) -> sz.Network:
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("G", _model(), 3, **population)
    return net


def _function_current(function: str) -> None:
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("G", "lif", 1)
    net.add_stimulus(sz.stimulus("function_current", function=function), "G")


@pytest.mark.parametrize("make, quoted", [
    (lambda: _network(initial={"v": "-70*mV + rand()*5"}),
     "initial value 'v' = '-70*mV + rand()*5': inconsistent units between terms: '-70*mV' is in mV [voltage] but "
     "'5*rand()' is in dimensionless"),
    (lambda: _network(initial={"v": "-70*mV + exp(randn()*mV)"}),
     "initial value 'v' = '-70*mV + exp(randn()*mV)': the argument of exp() must be dimensionless, but mV*randn()"),
    (lambda: _network(initial={"v": "-70*mV + (i > 1)*5"}), "but '5*int(i > 1)' is in dimensionless"),
    (lambda: _network().connect("G", "G", on="v", p=0.5, weight="rand()*mV + 1*nA"),
     "weight = 'rand()*mV + 1*nA': inconsistent units between terms: 'nA' is in nA [current] but 'mV*rand()'"),
    (lambda: _network().connect("G", "G", on="v", weight=1 * u.mV, p="(i > j)*1*mV + 0.1"),
     "p = '(i > j)*1*mV + 0.1': inconsistent units between terms: '0.1' is in dimensionless but 'mV*int(i > j)'"),
    (lambda: _network().connect("G", "G", on="v", weight=1 * u.mV, condition="i > 1*mV"),
     "condition = 'i > 1*mV': inconsistent units between sides of the comparison"),
    (lambda: _network().connect("G", "G", on="v", weight=1 * u.mV, p=0.5, delay="rand()*ms + 1"),
     "delay = 'rand()*ms + 1': inconsistent units between terms: '1' is in dimensionless but 'ms*rand()'"),
    (lambda: _function_current("(t > 1*ms)*nA + 1*mV"),
     "function = '(t > 1*ms)*nA + 1*mV': inconsistent units between terms: 'mV' is in mV [voltage] but "
     "'nA*int(t > ms)'"),
    (lambda: _model(threshold="v > V_th + rand()*ms"), "but 'ms*rand()' is in ms [time]"),
    (lambda: _model(reset="v = E_L + randn()"), "reset 'v = E_L + randn()': inconsistent units"),
])
def test_an_expression_error_quotes_the_user_text_not_internal_names(make, quoted):
    with pytest.raises(SnnzooError) as caught:
        make()
    assert quoted in str(caught.value)
    assert not INTERNAL.search(str(caught.value)), str(caught.value)



@pytest.mark.parametrize("settings, quoted", [
    ({"reset": "v = 5*rand() + E_L"}, "reset 'v = 5*rand() + E_L'"),  # sympy's order: E_L + 5*rand()
    ({"reset": "v = E_L; tau = tau*2"}, "reset 'tau = tau*2'"),  # sympy's 2*tau
])
def test_a_statement_in_error_is_quoted_as_written(settings, quoted):
    with pytest.raises(SnnzooError) as error:
        _model(**settings)
    assert f"model 'm': {quoted}: " in str(error.value), error.value


def test_a_projection_effect_in_error_is_quoted_as_written():
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    model = sz.NeuronModel("m2", "dv/dt = (ge - v)/tau : volt\ndge/dt = -ge/tau : volt", {"tau": "10 ms"})
    net.add_population("G", model, 2)
    with pytest.raises(SnnzooError, match=r"^projection 'G_to_G': 'ge \+= w\*v/2': the coefficient of w may use "
                                          r"parameters only"):
        net.connect("G", "G", on="ge += w*v/2", weight="1 mV", p=1.0)  # sympy's v*w/2


@pytest.mark.parametrize("refractory, quoted", [
    ("2*tref", "refractory '2*tref': undefined symbol 'tref'"),
    ("tau*2 + 1*mV", "refractory 'tau*2 + 1*mV': inconsistent units between terms"),
    ("tau*tau", "refractory 'tau*tau': a value in ms ** 2 [time] ** 2; expected a time"),
    ("v > 1*ms", "refractory 'v > 1*ms': inconsistent units between sides of the comparison"),
    ("log(0)*ms", "refractory 'log(0)*ms': a term is infinite or undefined"),
], ids=["unknown name", "dimension of a term", "dimension", "condition", "infinite"])
def test_a_refractory_expression_in_error_is_quoted_as_written(refractory, quoted):
    # the model's or population's "refractory:" alone, with the reason: which text was meant was left to guess
    with pytest.raises(SnnzooError, match=f"^model 'm': {re.escape(quoted)}"):
        _model(refractory=refractory)
    with pytest.raises(SnnzooError, match=f"^population 'G': {re.escape(quoted)}"):
        _network(refractory=refractory)


@pytest.mark.parametrize("refractory, value", [("sqrt(-tau/ms)*ms", "nan"), ("log(i)*ms", "-inf"), ("ms/(1 - i)", "inf")])
def test_a_refractory_period_not_finite_names_the_neuron(refractory, value):
    # NaN was "gives negative periods [] s"; numpy's RuntimeWarnings, pointing at generated code, came first
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(SnnzooError, match=re.escape(f"population 'G' (model 'm'): refractory {refractory!r} is "
                                                        f"{value} s for neuron ")):
            _network(refractory=refractory).run(1 * u.ms)

"""Synapse models as specs: parsing, dimension checks, binding to neuron models, registration, CLI."""

from __future__ import annotations

import pytest

import snnzoo as sz
from snnzoo.cli import main
from snnzoo.plugins.loader import get_registry, plugin_report

PAIR = """
w : 1
dApre/dt = -Apre/taupre : 1 (event-driven)
dApost/dt = -Apost/taupost : 1 (event-driven)
"""
PAIR_PARAMETERS = {"taupre": "20 ms", "taupost": "20 ms", "wmax": 0.01, "dApre": 1e-4, "dApost": -1.05e-4}

NEURON = sz.NeuronModel(
    "cell", "dv/dt = (ge*(Ee - v) + EL - v)/tau : volt\ndge/dt = -ge/taue : 1\ng_total : siemens\ng_nmda : siemens\n"
            "I_leak = (EL - v)/(10*Mohm) : amp",
    {"Ee": "0 mV", "EL": "-74 mV", "tau": "10 ms", "taue": "5 ms", "Vt": "-54 mV"}, threshold="v > Vt",
)


def pair(on_pre="ge += w; Apre += dApre; w = clip(w + Apost, 0, wmax)",
         on_post="Apost += dApost; w = clip(w + Apre, 0, wmax)", equations=PAIR, **kwargs):
    return sz.SynapseModel("pair", equations, PAIR_PARAMETERS, on_pre=on_pre, on_post=on_post, **kwargs)


def test_spec_sorts_variables_by_kind():
    model = pair(equations=PAIR + "ds/dt = -s/(10*ms) : 1 (clock-driven)\ng_total_post = w*s*nS : siemens (summed)")
    assert model.variables == ["w"]
    assert model.event_driven == ["Apre", "Apost"]
    assert model.clock_driven == ["s"]
    assert list(model.summed) == ["g_total_post"]
    assert model.state_variables == ["w", "Apre", "Apost", "s"]
    assert model.parameters["taupre"].default == pytest.approx(0.02)


def test_bind_resolves_bare_names_to_the_postsynaptic_neuron():
    bound = pair().bind(None, NEURON, "projection 'S'")
    assert set(bound.neuron_units) == {"ge_post"}
    targets = [target for target, _, _ in pair().canonical_statements("on_pre")]
    assert targets == ["ge_post", "Apre", "w"]


@pytest.mark.parametrize("equations, fragment", [
    ("w : 1\ndA/dt = -A**2/(20*ms) : 1 (event-driven)", "not linear in A"),
    ("w : 1\ndA/dt = -B/(20*ms) : 1 (event-driven)\ndB/dt = -B/(20*ms) : 1 (event-driven)", "it uses B"),
    ("w : 1\ndA/dt = -A/(20*ms) + v_post/(mV*ms) : 1 (event-driven)", "it uses v_post"),
    ("w : 1\ndA/dt = -A/ms : 1", "needs '(event-driven)' or '(clock-driven)'"),
    ("w : 1\ndA/dt = -A : 1 (clock-driven)", "the right-hand side is in dimensionless units but must be in 1 / s"),
    ("w : 1\ng_total = w*nS : siemens (summed)", "is written 'x_post = ...'"),
    ("w : 1 (event-driven)", "only apply to differential equations"),
    # accepted and ignored before (Brian2 refuses them in Synapses)
    ("w : 1\ndA/dt = -A/(20*ms) : 1 (clock-driven, unless refractory)",
     "the flag(s) ['unless refractory'] belong in neuron models (a synapse model's flags: event-driven, clock-driven, "
     "summed, constant)"),
    ("w : 1 (linked)", "the flag(s) ['linked'] belong in neuron models"),
    ("w : 1\ndA/dt = -A/(20*ms) : 1 (event-driven, clock-driven)", "give '(event-driven)' or '(clock-driven)', not both"),
    ("w : 1\ndA/dt = -A/(20*ms) : 1 (clock-driven, constant)",
     "'(constant)' only applies to declarations such as 'tau : second (constant)'"),
])
def test_bad_equations_are_one_line_errors(equations, fragment):
    with pytest.raises(sz.EquationError) as err:
        sz.SynapseModel("bad", equations, on_pre="ge += w")
    assert fragment in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("arguments, message", [
    ({"on_pre": {"up": "ge += w", "down": "ge -= w"}},
     "synapse model 'bad': on_pre is a table of pathways ['down', 'up'], but a synapse model has one on_pre text "
     "(statements separated by ';' or lines); make one projection per pathway"),
    ({"on_pre": "ge += w", "on_post": ["w += 1"]}, "synapse model 'bad': on_post must be text, got list ['w += 1']"),
    ({"on_pre": "ge += w", "equations": None}, "synapse model 'bad': equations must be text, got NoneType None"),
])
def test_pathways_and_equations_must_be_text(arguments, message):
    # Brian2's several pathways (on_pre={'up': ..., 'down': ...}) were an AttributeError ('dict' has no 'strip')
    arguments = {"equations": "w : 1", **arguments}
    with pytest.raises(sz.ConfigError) as err:
        sz.SynapseModel("bad", arguments.pop("equations"), **arguments)
    assert str(err.value) == message


def test_inconsistent_units_in_own_statements_fail_at_definition():
    with pytest.raises(sz.EquationError, match=r"on_post 'Apost \+= 1\*mV'.*inconsistent units"):
        pair(on_post="Apost += 1*mV")


def test_writing_a_parameter_is_an_error():
    with pytest.raises(sz.EquationError, match="'wmax' is a parameter"):
        pair(on_post="wmax = 1")
    # a (constant) synaptic variable was written anyway
    with pytest.raises(sz.EquationError, match="on_post 'tau = 1\\*ms': 'tau' is declared \\(constant\\), so no pathway"):
        pair(equations=PAIR + "tau : second (constant)", on_post="tau = 1*ms")
    # it was "writes 't', but the postsynaptic model has no variable 't'" when the projection was made
    with pytest.raises(sz.EquationError, match=r"on_post 't = 1\*ms': 't' is given by the simulation \(t, dt, i, j: "
                                               r"the time, the time step and the synapse's neuron indices\); it cannot"):
        pair(on_post="t = 1*ms")


@pytest.mark.parametrize("on_pre, on_post, fragment", [
    ("gee += w", "Apost += dApost", "on_pre 'gee += w' writes 'gee_post', but the postsynaptic model 'cell' has no "
                                    "variable 'gee'; did you mean 'ge_post'?"),
    ("ge += w", "Apots += dApost", "on_post 'Apots += dApost' writes 'Apots_post'"),
    ("ge += w*(v_post > -60*mV)", "w = clip(w + Apre*(V_post > 0*mV), 0, wmax)", "reads 'V_post', but the postsynaptic model 'cell' has no variable 'V'; did you mean"),
    ("ge += w*mV", "Apost += dApost", "on_pre 'ge += w*mV': the value is in mV [voltage] but ge must be in "
                                      "dimensionless units (inconsistent units)"),
    ("ge += w; Apre += v_pre/mV", "Apost += dApost", "refers to the presynaptic neuron, but the source is a spike source"),
    ("Ee_post += w*mV", "Apost += dApost", "writes 'Ee', which is not a variable of the postsynaptic model 'cell'"),
    # Brian2's own synapse variables were taken for neuron variables ("... has no variable 'lastupdate'")
    ("ge += w*exp(-(t - lastupdate)/(10*ms))", "Apost += dApost",
     "reads 'lastupdate', which Brian2 defines for its synapses: the time of the synapse's last event (event-driven "
     "variables are advanced over the time since it); snnzoo synapse models do not have it"),
    # Brian2's neuron internals: it was "the postsynaptic model 'cell' has no variable 'lastspike'"
    ("ge += w*(t - lastspike_post > 5*ms)", "Apost += dApost",
     "reads 'lastspike_post': 'lastspike' is one of Brian2's internal variables of the postsynaptic neuron, which "
     "snnzoo synapse models cannot read; keep what you need in the synapse model (a variable 'tpost : second' and "
     "'tpost = t' in on_post)"),
    ("ge += w/N_incoming", "Apost += dApost", "reads 'N_incoming', which Brian2 defines for its synapses: the number "
                                              "of synapses onto the postsynaptic neuron (declare a parameter and give "
                                              "it the value 'N_incoming' in connect: parameters={'n_in': 'N_incoming'})"),
    # Brian2 reads neuron subexpressions; here it was a numba TypingError (name 'p0_I_leak' is not defined)
    ("ge += w*(I_leak_post > 0*nA)", "Apost += dApost",
     "on_pre 'ge += w*(I_leak_post > 0*nA)' reads 'I_leak_post', but 'I_leak' is a subexpression of the postsynaptic "
     "model 'cell' (I_leak = (EL - v)/(10*Mohm)); a synapse model reads neuron variables and parameters: write the "
     "expression out with '_post' names"),
])
def test_binding_errors_name_the_projection_model_and_statement(on_pre, on_post, fragment):
    with pytest.raises(sz.EquationError) as err:
        pair(on_pre=on_pre, on_post=on_post).bind(None, NEURON, "projection 'S'")
    message = str(err.value)
    assert message.startswith("projection 'S': ") and "synapse model 'pair'" in message and "\n" not in message
    assert fragment in message


def test_summed_variable_must_be_declared_by_the_target():
    model = sz.SynapseModel("nmda", "w : siemens\nds/dt = -s/(100*ms) : 1 (clock-driven)\n"
                                    "g_ampa_post = w*s : siemens (summed)", on_pre="s += 1")
    with pytest.raises(sz.EquationError, match=r"summed variable 'g_ampa_post': the postsynaptic model 'cell' does "
                                               r"not declare 'g_ampa' \(expected a line 'g_ampa : siemens'"):
        model.bind(None, NEURON, "projection 'S'")
    in_volts = sz.SynapseModel("nmda", "w : 1\ng_total_post = w*mV : volt (summed)", on_pre="w += 0")
    with pytest.raises(sz.EquationError) as err:  # was accepted: volts summed into a conductance
        in_volts.bind(None, NEURON, "projection 'S'")
    assert str(err.value) == ("projection 'S': synapse model 'nmda': summed variable 'g_total_post' is in V [voltage] "
                              "but the postsynaptic model 'cell' declares 'g_total' in S [conductance] "
                              "(inconsistent units)")
    ok = sz.SynapseModel("nmda", "w : siemens\nds/dt = -s/(100*ms) : 1 (clock-driven)\n"
                                 "g_total_post = w*s : siemens (summed)", on_pre="s += 1")
    assert ok.bind(None, NEURON, "projection 'S'").post is NEURON


def test_a_summed_variable_onto_a_differential_equation_says_so():
    # it said "the postsynaptic model does not declare 'v'" of a v the model integrates (Brian2: "needs a
    # corresponding parameter")
    onto_v = sz.SynapseModel("onto_v", "w : volt\nv_post = w : volt (summed)")
    with pytest.raises(sz.EquationError) as err:
        onto_v.bind(None, NEURON, "projection 'S'")
    assert str(err.value) == ("projection 'S': synapse model 'onto_v': summed variable 'v_post': 'v' has a "
                              "differential equation in the postsynaptic model 'cell'; a sum sets a variable declared "
                              "without one (a line 'v : volt' in its equations)")


@pytest.mark.parametrize("reader", ["g_total_post = w*y*nS : siemens (summed)",
                                    "ds/dt = (y - s)/(10*ms) : 1 (clock-driven)"])
def test_what_is_evaluated_every_step_may_not_read_an_event_driven_variable(reader):
    """An event-driven variable is brought up to date only at the synapse's events; a summed variable
    or a clock-driven equation reading it would see a stale value (as in Brian2, an error)."""
    with pytest.raises(sz.EquationError, match=r"evaluated every step but reads the event-driven 'y'.*"
                                               r"declare 'y' \(clock-driven\)"):
        sz.SynapseModel("stale", f"w : 1\ndy/dt = -y/(1*ms) : 1 (event-driven)\n{reader}", on_pre="y += 1")


@pytest.mark.parametrize("equations", ["w : 1\ndx/dt = (rand() - x)/(1*ms) : 1 (clock-driven)",
                                       "w : 1\nx : 1\ng_post = w*randn()*nS : siemens (summed)"])
def test_random_draws_in_synapse_equations_are_refused_as_in_neuron_models(equations):
    """A neuron model refused rand() in its equations; a synapse model's clock-driven equation took it and ran."""
    with pytest.raises(sz.EquationError, match=r"rand\(\) and randn\(\) cannot appear in equations"):
        sz.SynapseModel("noisy", equations, on_pre="x += 1")


def test_neuron_models_reject_synaptic_flags():
    with pytest.raises(sz.EquationError, match="belong in synapse models"):
        sz.NeuronModel("n", "dv/dt = -v/(10*ms) : volt (event-driven)")


def test_plasticity_plugin_registers_synapse_models():
    registry = get_registry()
    names = registry.names("synapse")
    assert {"stdp", "stdp_nearest", "triplet_stdp", "vogels_istdp", "tsodyks_markram_depressing",
            "tsodyks_markram_facilitating", "nmda_saturating"} <= set(names)
    assert sz.synapse_model("stdp").event_driven == ["Apre", "Apost"]
    info = next(p for p in plugin_report() if p.name == "plasticity")
    assert "snnzoo_register_synapses" in info.hooks and info.registered["synapse"] == 7
    for name in names:  # every registered model binds to the neuron the plugin ships or declares its target
        model = registry.synapse_model(name)
        target = NEURON if model.summed else sz.model("lif_cond_exp")
        if name.startswith(("stdp", "triplet")):
            target = sz.model("lif_song")
        assert model.bind(None, target, "projection 'P'").model is model


def test_cli_lists_and_documents_synapse_models(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "Synapse models:" in out and "triplet_stdp" in out.split("Synapse models:")[1].split("Stimuli:")[0]
    assert main(["info", "stdp"]) == 0
    out = capsys.readouterr().out
    assert "dApre/dt = -Apre/taupre : 1 (event-driven)" in out
    assert "on_post:\n    Apost += dApost\n    w = clip(w + Apre, 0, wmax)" in out
    assert "taupre     20 ms" in out and "Song" in out

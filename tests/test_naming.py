"""The naming convention of the built-in models (docs/naming.md): new names, old names as aliases, presets."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.catalog.experiment import Experiment
from snnzoo.errors import EquationError, UnitError, UnknownNameError
from snnzoo import DeprecatedNameWarning
from snnzoo.plugins.naming import CONVENTION, unconventional_parameters
from snnzoo.plugins.loader import get_registry

BUILTIN = ["lif", "perfect_if", "lif_cond_exp", "lif_curr_exp", "lif_adaptive_threshold", "lif_cond_snnjl",
           "lif_cond_exp2_snnjl", "lif_song", "adex", "adex_tau", "adex_cond", "hh_traub", "ball_and_stick", "tripod"]
MODEL_SPECIFIC = {"hh_traub": {"VT"}}  # published names that are not the common quantities (the rate offset)
W1_CURRENTS = [500, 500, 400, 210, 300, 110, 350, 160]  # pA, the step current of each Naud 2008 pattern
W1_COUNTS = [42, 10, 10, 9, 31, 0, 83, 29]  # Brian2 2.9's spike counts, tests/reference


def test_builtin_models_use_only_the_common_names():
    models = [get_registry().model(name) for name in BUILTIN]
    old = set().union(*(model.aliases for model in models))
    assert {"C", "gL", "gl", "EL", "El", "Er", "Vt", "VT", "Vr", "Vcut", "Vspike", "Vs", "Vthr", "DeltaT", "Cm"} <= old
    for model in models:
        clashing = (set(model.parameters) & old) - MODEL_SPECIFIC.get(model.name, set())
        assert not clashing, f"{model.name} still has old parameter names {clashing}"
    assert {"C_m", "g_L", "E_L", "V_th", "V_reset", "V_spike", "Delta_T"} <= set(get_registry().model("adex").parameters)
    assert {"c_m", "r_m", "r_i", "C_m", "g_L", "E_L"} <= set(get_registry().model("ball_and_stick").parameters)


def test_the_convention_the_kit_checks_is_the_table_of_docs_naming():
    """snnzoo.plugins.naming.CONVENTION (what the conformance kit checks) and the table of docs/naming.md name the same
    quantities and old names."""
    table = (Path(__file__).parent.parent / "docs" / "naming.md").read_text().split("## Presets")[0]
    documented_names, documented_old = set(), set()
    for row in table.splitlines()[4:]:
        if row.startswith("| ") and not row.startswith("| quantity") and not row.startswith("|---"):
            cells = row.split("|")
            documented_names |= set(re.findall(r"`([^`]+)`", cells[2]))
            documented_old |= set(re.findall(r"`([^`]+)`", cells[4]))
    assert documented_names == {quantity.name for quantity in CONVENTION}
    assert documented_old == {old for quantity in CONVENTION for old in quantity.old_names}


def test_builtin_models_follow_the_convention_the_kit_checks():
    for name in BUILTIN:
        assert unconventional_parameters(get_registry().model(name), MODEL_SPECIFIC.get(name, ())) == []


def test_old_name_is_accepted_with_a_warning_naming_the_new_one():
    net = sz.Network(seed=1)
    with pytest.warns(DeprecatedNameWarning, match="parameter 'Vcut' of model 'adex' is now called 'V_spike'"):
        pop = net.add_population("a", "adex", 2, parameters={"Vcut": -45 * u.mV, "EL": [-70, -60] * u.mV},
                                 initial={"v": "EL + 5*mV"})
    with pytest.warns(DeprecatedNameWarning, match="'EL' of model 'adex' is now called 'E_L'"):
        np.testing.assert_allclose(pop.get("EL").to("mV").magnitude, [-70, -60])
    np.testing.assert_allclose(pop.get("V_spike").to("mV").magnitude, [-45, -45])
    np.testing.assert_allclose(pop.get("v").to("mV").magnitude, [-65, -55])
    with pytest.warns(DeprecatedNameWarning, match="'gL' of model 'adex' is now called 'g_L'"):
        pop.set("gL", 12 * u.nS)
    assert pop.to_dict()["parameters"]["V_spike"] == {"value": -45, "unit": "mV"}
    with pytest.raises(UnitError, match="parameter 'C'"), pytest.warns(DeprecatedNameWarning):
        sz.Network().add_population("b", "adex", 1, parameters={"C": 200})  # errors name what was typed


def test_the_warning_points_at_the_users_line():
    """add_population's warning pointed into snnzoo/network/network.py, set's at the caller: the depth differed."""
    pop = sz.Network(seed=1).add_population("a", "adex", 1)
    for give in (lambda: sz.Network(seed=1).add_population("a", "adex", 1, parameters={"Vcut": -45 * u.mV}),
                 lambda: pop.set("Vcut", -45 * u.mV),
                 lambda: sz.NeuronModel("m", "dv/dt = -v/tau : 1", {"tau": "10 ms", "tua": "1 ms"})):
        with pytest.warns(Warning) as caught:
            give()
        assert [warning.filename for warning in caught] == [__file__]


def test_old_name_in_an_experiment_override_gives_the_same_run():
    with pytest.warns(DeprecatedNameWarning, match="'Vcut' of model 'adex' is now called 'V_spike'"):
        old = Experiment.load("adex-firing-patterns", ["populations.adex.parameters.Vcut=-45 mV"]).run()
    new = Experiment.load("adex-firing-patterns", ["populations.adex.parameters.V_spike=-45 mV"]).run()
    np.testing.assert_array_equal(old["adex"]["spike_count"].values, new["adex"]["spike_count"].values)
    assert old["adex"]["spike_count"].values.tolist() != W1_COUNTS


def test_adex_presets_are_the_eight_naud_patterns():
    """Each preset drives a network of its own: presets are parameter values, so the eight networks share
    one compiled kernel (one network of eight populations compiled a kernel for this test alone)."""
    adex = sz.model("adex")
    assert list(adex.presets) == ["tonic_spiking", "adaptation", "initial_burst", "regular_bursting",
                                  "irregular_spiking", "transient_spiking", "delayed_accelerating",
                                  "delayed_regular_bursting"]
    counts, provenances = [], []
    for preset, current in zip(adex.presets, W1_CURRENTS):
        net = sz.Network(dt=0.1 * u.ms, seed=1)
        net.add_population("neuron", "adex", 1, preset=preset, refractory=2 * u.ms)
        net.add_stimulus(sz.stimulus("step_current", times=[0, 500] * u.ms, amplitudes=[current, 0] * u.pA), "neuron")
        net.run(550 * u.ms)
        tree = net.result()
        counts.append(int(tree["neuron"]["spike_count"].values[0]))
        provenances.append(tree.attrs["snnzoo_provenance_json"])
    assert counts == W1_COUNTS
    assert [text.count(f'"preset": "{preset}"') for text, preset in zip(provenances, adex.presets)] == [1] * 8
    assert [text.count('"preset": "adaptation"') for text in provenances] == [0, 1, 0, 0, 0, 0, 0, 0]


def test_parameters_override_a_preset_and_toml_names_one(tmp_path):
    pop = sz.Network().add_population("a", "adex", 1, preset="adaptation", parameters={"b": 80 * u.pA})
    assert pop.get("b").to("pA").magnitude[0] == pytest.approx(80)
    assert pop.get("tau_w").to("ms").magnitude[0] == pytest.approx(300)
    path = tmp_path / "bursting.toml"
    path.write_text('duration = "100 ms"\n[populations.n]\nmodel = "adex"\nsize = 1\npreset = "regular_bursting"\n')
    built = Experiment.load(str(path)).build()
    assert built.populations["n"].get("V_reset").to("mV").magnitude[0] == pytest.approx(-46)
    with pytest.raises(UnknownNameError, match="unknown preset of model 'adex' 'chattering'.*known: adaptation"):
        sz.Network().add_population("b", "adex", 1, preset="chattering")


def test_invalid_presets_and_aliases_are_refused_when_the_model_is_made():
    equations = "dv/dt = (E_L - v)/tau : volt"
    defaults = {"E_L": "-70 mV", "tau": "10 ms"}
    with pytest.raises(UnknownNameError, match="parameter of model 'm' \\(preset 'p'\\) 'EL'"):
        sz.NeuronModel("m", equations, defaults, presets={"p": {"EL": "-60 mV"}})
    with pytest.raises(UnitError, match="preset 'p': parameter 'tau'"):
        sz.NeuronModel("m", equations, defaults, presets={"p": {"tau": "5 mV"}})
    with pytest.raises(EquationError, match="alias 'v' -> 'E_L'"):
        sz.NeuronModel("m", equations, defaults, aliases={"v": "E_L"})


def test_old_name_at_the_command_line_warns_in_one_line(tmp_path, capsys):
    from snnzoo.cli import main

    path = tmp_path / "old.toml"
    path.write_text('duration = "5 ms"\n[populations.n]\nmodel = "lif"\nsize = 1\n[populations.n.parameters]\nVr = "-65 mV"\n')
    assert main(["run", str(path), "-q", "--no-check", "-o", str(tmp_path / "old.nc")]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "Vr" in line]
    assert warnings == ["snnzoo: warning: population 'n' (model 'lif'): parameter 'Vr' of model 'lif' is now called "
                        "'V_reset'; the old name is accepted until the next release"]


@pytest.mark.parametrize("parameters", [{"R": "0.25 Gohm", "R_m": "1 Gohm"}, {"R_m": "1 Gohm", "R": "0.25 Gohm"}])
def test_a_parameter_given_under_its_name_and_its_old_name_is_refused(parameters):
    """One of the two values was dropped in silence: the last given (in a file), or the old name's (with --set)."""
    net = sz.Network()
    with pytest.raises(sz.ConfigError, match=re.escape(
            "population 'E' (model 'lif'): parameters ") + r"'R_?m?' and 'R_?m?'" + re.escape(
            " are one parameter ('R' is the old name of 'R_m'); give it once, as 'R_m'")):
        net.add_population("E", "lif", 2, parameters=parameters)


def test_an_old_name_overrides_a_preset_given_under_the_new_one():
    net = sz.Network()
    with pytest.warns(DeprecatedNameWarning):
        population = net.add_population("a", "adex", 1, preset="adaptation", parameters={"Vr": -50 * u.mV})
    assert population.get("V_reset").to("mV").magnitude.tolist() == [-50.0]


def test_two_overrides_of_one_parameter_under_two_names_are_refused(tmp_path):
    """--set ...R=0.25 Gohm --set ...R_m=1 Gohm ran with 1 Gohm and dropped R in silence."""
    path = tmp_path / "e.toml"
    path.write_text('duration = "5 ms"\n[populations.n]\nmodel = "lif"\nsize = 1\n')
    with pytest.raises(sz.ConfigError, match=re.escape(
            "--set populations.n.parameters.R_m: populations.n.parameters.R sets the same parameter "
            "('0.25 Gohm' and '1 Gohm': one is its old name); give it once")):
        Experiment.load(str(path), ["populations.n.parameters.R=0.25 Gohm", "populations.n.parameters.R_m=1 Gohm"])

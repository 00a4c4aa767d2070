"""Catalog experiments: every registered one runs and its ``expected`` block holds; overrides; checks."""

from __future__ import annotations

import copy
import math
import re
import warnings

import numpy as np
import pytest

from snnzoo.catalog.experiment import Experiment, apply_override, describe
from snnzoo.errors import ConfigError, SimulationError, SnnzooError
from snnzoo.plugins.loader import get_registry

EXPERIMENTS = sorted(get_registry().names("experiment"))


def test_the_four_builtin_experiments_are_registered():
    assert {"adex-firing-patterns", "adex-firing-patterns-snnjl", "hh-current-step", "lif-decay"} <= set(EXPERIMENTS)


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_every_experiment_runs_and_its_expectations_hold(name):
    experiment = Experiment.load(name)
    tree = experiment.run()
    checks = experiment.check(tree)
    assert len(checks) == len(experiment.spec.get("expected", []))
    failed = [(c.description, c.found) for c in checks if not c.passed]
    assert not failed
    assert tree.attrs["experiment"] == name
    expected_groups = set(experiment.spec["populations"]) | set(experiment.spec.get("sources", {}))
    if experiment.spec.get("projections") or any(
        s.get("type") == "poisson_layer" for s in experiment.spec.get("stimuli", {}).values()
    ):
        expected_groups.add("projections")
    assert expected_groups <= set(tree.children)
    assert set(experiment.spec["populations"]) <= set(tree.children)
    for population, spec in experiment.spec["populations"].items():
        assert tree[population]["spike_count"].size == spec["size"]
    figure = experiment.figure(tree)
    assert figure.axes


def test_experiments_have_documentation():
    for name in EXPERIMENTS:
        experiment = Experiment.load(name)
        assert experiment.title != name and experiment.description
        assert experiment.spec.get("references")
        text = describe(name)
        assert text.startswith(f"{name}: {experiment.title}")


def test_snnjl_experiment_records_at_8_khz_with_its_step_current():
    tree = Experiment.load("adex-firing-patterns-snnjl").run()
    ds = tree["adex"].to_dataset()
    assert tree.attrs["dt"] == pytest.approx(0.125e-3)
    # dt = 0.125 ms, so 8 kHz is every step: 330 ms -> 2640 samples
    assert ds["v"].shape == (2640, 6) and ds["w"].shape == (2640, 6)
    np.testing.assert_allclose(np.diff(ds["time"].values), 0.125e-3, rtol=1e-9)
    assert list(ds["label"].values) == ["Tonic", "Adapting", "Init. burst", "Bursting", "Transient", "Delayed"]
    assert ds["spike_count"].values.sum() > 0


def test_overrides_change_the_spec():
    experiment = Experiment.load("lif-decay", ["models.decay.parameters.tau = \"10 ms\"", "seed=5"])
    assert experiment.spec["models"]["decay"]["parameters"]["tau"] == "10 ms"
    tree = experiment.run()
    assert tree.attrs["seed"] == 5
    x = tree["decay"]["x"].values[:, 0]
    assert x[-1] == pytest.approx(np.exp(-999 * 0.1 / 10), rel=1e-12)  # exact, the default for linear equations
    assert not all(c.passed for c in experiment.check(tree))  # the file's expectation was for tau = 20 ms
    # the packaged file is not modified by overrides
    assert Experiment.load("lif-decay").spec["models"]["decay"]["parameters"]["tau"] == "20 ms"


def test_override_values_are_toml_or_text():
    spec = {"populations": {"a": {"size": 8, "parameters": {"C": "1 pF"}}}}
    apply_override(spec, "populations.a.size=16")
    apply_override(spec, "populations.a.parameters.C=250 pF")
    apply_override(spec, "populations.a.parameters.b=[1, 2]")  # new names are allowed under parameters
    assert spec["populations"]["a"] == {"size": 16, "parameters": {"C": "250 pF", "b": [1, 2]}}
    with pytest.raises(ConfigError, match="populations.a.sise"):
        apply_override(spec, "populations.a.sise=3")
    with pytest.raises(ConfigError, match="'populations.b' does not exist"):
        apply_override(spec, "populations.b.size=3")


def test_overrides_reach_list_items_and_a_synapse_models_parameters():
    """Both were refused ("does not exist in the experiment (choices here: none)")."""
    spec = {"populations": {"a": {"size": 8}}, "projections": {"S": {"source": "a", "target": "a", "synapse": "stdp"}},
            "protocol": [{"run": "1 s"}, {"set": {"a.v": "-60 mV"}}, {"run": "2 s"}]}
    apply_override(spec, "projections.S.parameters.taupre=10 ms")  # the file left the table out
    apply_override(spec, "projections.S.initial.Apre=0.5")
    apply_override(spec, "protocol.2.run=3 s")
    apply_override(spec, "protocol.1.set.a.v=-65 mV")  # the key "a.v" holds a dot
    assert spec["projections"]["S"]["parameters"] == {"taupre": "10 ms"}
    assert spec["projections"]["S"]["initial"] == {"Apre": 0.5}
    assert spec["protocol"] == [{"run": "1 s"}, {"set": {"a.v": "-65 mV"}}, {"run": "3 s"}]
    for assignment in ("protocol.3.run=1 s", "protocol.-1.run=1 s", "protocol.first.run=1 s"):
        with pytest.raises(ConfigError, match=re.escape("'protocol' is a list of 3: its items are protocol.0 to .2")):
            apply_override(spec, assignment)
    with pytest.raises(ConfigError, match=r"'projections.S.condition' is not in the experiment, and a path adds no "
                       r"table there; give its whole value with --set projections.S.condition=VALUE$"):
        apply_override(spec, "projections.S.condition.x=1")
    with pytest.raises(ConfigError, match=r"'populations.a.size' is a single value \(8\), not a table"):
        apply_override(spec, "populations.a.size.x=1")
    assert "condition" not in spec["projections"]["S"]  # nothing added on the way to an error


def test_a_synapse_models_parameter_set_from_the_command_line_changes_the_run():
    short = ["duration=0.5 s", "figure.panels.2.bin=0.1 s", "expected.3.start=0.2 s"]
    default = Experiment.load("stdp-song-2000", short)
    faster = Experiment.load("stdp-song-2000", [*short, "projections.S.parameters.taupre=5 ms"])
    weights = [experiment.run()["projections"]["S"]["weight"].values for experiment in (default, faster)]
    assert not np.array_equal(*weights)  # a shorter potentiation window changes how the weights move
    with pytest.raises(SnnzooError, match="unknown parameter of projection 'S' \\(synapse model 'stdp'\\) 'taux'"):
        Experiment.load("stdp-song-2000", [*short, "projections.S.parameters.taux=5 ms"]).run()


@pytest.mark.parametrize("assignment, said", [
    ("=3", "--set '=3': the path before '=' is empty; expected PATH=VALUE"),  # "--set : '' does not exist"
    ("populations.a.parameters.b=" + "[" * 2000 + "]" * 2000,
     "--set populations.a.parameters.b: the value's arrays are nested too deeply to read"),  # a RecursionError
], ids=["empty path", "nested value"])
def test_an_override_with_no_path_or_a_value_nested_too_deeply_is_named(assignment, said):
    with pytest.raises(ConfigError, match=f"^{re.escape(said)}"):
        apply_override({"populations": {"a": {"size": 8}}}, assignment)


def test_size_override_inconsistent_with_per_neuron_parameters():
    experiment = Experiment.load("adex-firing-patterns", ["populations.adex.size=16"])
    with pytest.raises(SnnzooError, match="16"):
        experiment.run()


def test_checks_can_fail():
    experiment = Experiment.load("hh-current-step")
    tree = experiment.run()
    spec = copy.deepcopy(experiment.spec)
    spec["expected"] = [
        {"check": "spike_count", "population": "hh", "value": 2},
        {"check": "spike_count", "population": "hh", "value": 2, "tolerance": 1},
        {"check": "value_at", "population": "hh", "variable": "v", "time": "0 ms", "value": "-65 mV",
         "tolerance": "1 uV"},
        {"check": "value_at", "population": "hh", "variable": "v", "time": "0 ms", "value": "-60 mV",
         "tolerance": "1 uV"},
        {"check": "mean_rate", "population": "hh", "value": "330 Hz", "rel_tolerance": 0.02},  # 1 spike in 3 ms
    ]
    checks = Experiment("changed", spec).check(tree)
    assert [c.passed for c in checks] == [False, True, True, False, True]
    assert checks[0].found == 1
    assert checks[3].found == pytest.approx(-0.065)


@pytest.mark.parametrize("relative, shown", [(0.2, "± 20%"), (0.025, "± 2.5%"), (1e-12, "± 1e-10%")])
def test_a_relative_tolerance_is_shown_as_given(relative, shown):
    """It was rounded to whole percent: stdp-window's 1e-12 printed as '± 0%', 0.025 as '± 2%'."""
    experiment = Experiment.load("hh-current-step")
    spec = copy.deepcopy(experiment.spec)
    spec["expected"] = [{"check": "spike_count", "population": "hh", "value": 1, "rel_tolerance": relative}]
    (check,) = Experiment("changed", spec).check(experiment.run())
    assert check.description == f"spike count of hh = 1 {shown}" and check.passed


@pytest.mark.parametrize("change, fragment", [
    (lambda s: s.update(colour="red"), "unknown top-level key"),
    (lambda s: s.pop("populations"), "populations"),
    (lambda s: s["expected"].append({"check": "median", "population": "hh", "value": 1}), "unknown check"),
    (lambda s: s["expected"].append({"check": "spike_count", "population": "hx", "value": 1}), "unknown population"),
])
def test_invalid_experiment_specs(change, fragment):
    spec = copy.deepcopy(Experiment.load("hh-current-step").spec)
    change(spec)
    with pytest.raises(ConfigError, match=fragment):
        experiment = Experiment("broken", spec)
        experiment.check(experiment.run())


def test_inline_model_with_unknown_keys():
    spec = copy.deepcopy(Experiment.load("lif-decay").spec)
    spec["models"]["decay"]["treshold"] = "x > 1"
    with pytest.raises(ConfigError, match="treshold"):
        Experiment("typo", spec).run()


def test_an_isi_cv_check_of_neurons_without_two_intervals_fails_without_a_numpy_warning():
    """A run too short for any neuron to have two intervals gave numpy's 'Mean of empty slice' RuntimeWarning
    (in a Python sweep of short runs, once per run) before its NaN failed the check."""
    experiment = Experiment.load("hh-current-step")
    tree = experiment.run()  # one spike
    spec = copy.deepcopy(experiment.spec)
    spec["expected"] = [{"check": "isi_cv", "population": "hh", "max": 1}]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (check,) = Experiment("changed", spec).check(tree)
    assert not check.passed and math.isnan(check.found)


def test_a_mean_value_check_averages_the_samples_in_start_to_stop_excluding_stop():
    """mean_value took the samples of [start, stop], one more than mean_rate's [start, stop) window, and a
    sample a rounding error below start was left out; both use analysis.in_window now."""
    spec = copy.deepcopy(Experiment.load("lif-decay").spec)
    spec["expected"] = [{"check": "mean_value", "population": "decay", "variable": "x", "start": "100 ms",
                         "stop": "100.3 ms", "value": 1.0, "tolerance": 1.0}]
    experiment = Experiment("lif-decay", spec)
    tree = experiment.run()
    x = tree["decay"]["x"].isel(neuron=0)
    steps = np.rint(x["time"].values / 1e-4).astype(int)
    expected = float(x.values[(steps >= 1000) & (steps < 1003)].mean())  # the samples at 100.0, 100.1, 100.2 ms
    assert experiment.check(tree)[0].found == pytest.approx(expected, rel=1e-15)
    assert expected != pytest.approx(float(x.values[(steps >= 1000) & (steps <= 1003)].mean()), rel=1e-9)


def test_a_check_shows_what_it_found_in_the_unit_its_value_is_written_in():
    """The command line printed the SI number ('found -0.0412069' against bounds in mV, '3.04e-11' against pA)."""
    spec = copy.deepcopy(Experiment.load("lif-decay").spec)
    spec["expected"] = [
        {"check": "value_at", "population": "decay", "variable": "x", "time": "150 ms", "min": 0.0},
        {"check": "spike_count", "population": "decay", "value": 0},
        {"check": "mean_rate", "population": "decay", "value": "0.002 kHz", "tolerance": "5 Hz"},
    ]
    experiment = Experiment("lif-decay", spec)
    shown = [check.shown for check in experiment.check(experiment.run())]
    assert shown[1:] == ["0", "0 kHz"]
    assert float(shown[0]) == pytest.approx(np.exp(-0.05 / 0.02), rel=1e-5)  # a plain number stays one


def test_checks_and_panels_read_a_variable_recorded_by_the_populations_second_monitor(tmp_path, capsys):
    """The result stores a population's second monitor as v_NAME; a check or traces panel of v then failed
    after the run ("no variable 'v' in this population", "'v' was not recorded") although v was recorded."""
    from snnzoo.cli import main

    path = tmp_path / "two.toml"
    path.write_text('duration = "5 ms"\nseed = 1\n[populations.E]\nmodel = "lif"\nsize = 2\n'
                    '[monitors.inputs]\npopulation = "E"\nvariables = ["I"]\n'
                    '[monitors.potential]\npopulation = "E"\nvariables = ["v"]\nneurons = [1]\n'
                    '[figure]\nkind = "traces"\nvariable = "v"\n'
                    '[[expected]]\ncheck = "value_at"\npopulation = "E"\nvariable = "v"\nneuron = 1\ntime = "2 ms"\n'
                    'value = "-70 mV"\ntolerance = "1e-9 mV"\n')
    assert main(["run", str(path), "-q", "-o", str(tmp_path / "two.nc")]) == 0, capsys.readouterr().err
    assert "[ok] v of E[1] at 2 ms = -70 mV" in capsys.readouterr().out
    assert (tmp_path / "two.png").exists()
    experiment = Experiment.load(str(path))
    figure = experiment.figure(experiment.run())
    assert [ax.get_ylabel() for ax in figure.axes] == ["v (mV)"]  # not v_potential


def test_a_path_set_twice_is_refused_not_the_last_one_taken(tmp_path, capsys, monkeypatch):
    from snnzoo.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["run", "lif-decay", "--set", "seed=1", "--set", " seed = 2", "-q"]) == 2
    assert capsys.readouterr().err == "snnzoo: error: --set seed: given twice ('1' and '2'); give each path once\n"
    assert main(["run", str(tmp_path), "-q"]) == 2  # a folder: it listed the whole catalog as unknown
    assert capsys.readouterr().err == (f"snnzoo: error: experiment '{tmp_path}': a folder, not a catalog experiment or "
                                       "an experiment file (their names end in .toml)\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("top, timing, located", [('duration = "5 ms"\n', "", ": population 'p'"),
                                                  ("", '[[protocol]]\nrun = "5 ms"\n',
                                                   ": while running [[protocol]] #1: population")])
def test_a_run_that_diverges_is_the_models_failure_not_the_durations(tmp_path, top, timing, located):
    """It read "experiment file X: duration: population 'p': variable x ... became inf", as if the duration were
    at fault."""
    path = tmp_path / "diverges.toml"
    path.write_text(f'{top}dt = "0.1 ms"\nseed = 1\n[models.run_away]\nequations = "dx/dt = x/tau : 1"\n'
                    'parameters = { tau = "0.001 ms" }\ninitial = { x = 1 }\n[populations.p]\nmodel = "run_away"\n'
                    f'size = 1\n{timing}')
    with pytest.raises(SimulationError) as error:
        Experiment.load(str(path)).run()
    assert str(error.value).startswith(f"experiment file {path}{located}") and "became inf" in str(error.value)


def test_an_experiment_loads_from_a_path_object_and_refuses_what_is_no_name():
    # a pathlib.Path was "'PosixPath' object has no attribute 'lower'", an internal error
    path = get_registry().experiment("lif-decay").path
    assert Experiment.load(path).spec == Experiment.load(str(path)).spec
    for wrong in (3, None, " "):
        with pytest.raises(ConfigError, match=re.escape("experiment: expected a catalog experiment's name ('snnzoo "
                                                        f"list' shows them) or an experiment file's path, got {wrong!r}")):
            Experiment.load(wrong)


def test_value_at_a_time_between_samples_is_refused_not_read_from_the_nearest(tmp_path):
    """Recorded every 1 ms, x at 19.5 ms read the 20 ms sample, taken after the protocol set x = 2."""
    path = tmp_path / "p.toml"
    path.write_text('dt = "0.1 ms"\n[models.decay]\nequations = "dx/dt = -x/tau : 1"\nparameters = { tau = "10 ms" }\n'
                    '[populations.G]\nmodel = "decay"\nsize = 1\ninitial = { x = 1 }\n'
                    '[monitors.x]\npopulation = "G"\nvariables = "x"\nrate = "1 kHz"\n'
                    '[[protocol]]\nrun = "20 ms"\n[[protocol]]\nset = { "G.x" = 2 }\nrun = "10 ms"\n'
                    '[[expected]]\ncheck = "value_at"\npopulation = "G"\nvariable = "x"\ntime = "19.5 ms"\nvalue = 0.14\n'
                    'tolerance = 0.01\n')
    experiment = Experiment.load(str(path))
    message = re.escape("[[expected]] #1 (value_at): time '19.5 ms' is no sample time of the recording (samples near "
                        "it: 18 ms, 19 ms, 20 ms)")
    with pytest.raises(ConfigError, match=message):
        experiment.run(seed=1)  # refused before the run (it was refused by the check, after the result was written)
    with pytest.raises(ConfigError, match=message):
        experiment.check(experiment.run(seed=1, checks=False))
    for time, samples in (("0.5 ms", "0 ms, 1 ms"), ("29.5 ms", "28 ms, 29 ms")):  # the last sample is at 29 ms
        experiment = Experiment.load(str(path))
        experiment.spec["expected"][0]["time"] = time
        with pytest.raises(ConfigError, match=re.escape(f"(samples near it: {samples})")):
            experiment.run(seed=1)
    path.write_text(path.read_text().replace('time = "19.5 ms"', 'time = "19 ms"'))
    experiment = Experiment.load(str(path))
    [result] = experiment.check(experiment.run(seed=1))
    assert result.found == pytest.approx(math.exp(-1.9), rel=1e-12) and result.passed

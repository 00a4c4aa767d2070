"""The ``snnzoo`` command: list, info, run, plugins; one-line errors with exit status 2."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import xarray as xr

from snnzoo.cli import main
from snnzoo.plugins.loader import get_registry

REFERENCE = Path(__file__).parent / "reference"
W1_COUNTS = json.loads((REFERENCE / "brian2_w1_adex_patterns.json").read_text())["spike_counts"]
EXPERIMENTS = ["adex-firing-patterns", "adex-firing-patterns-snnjl", "hh-current-step", "lif-decay"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err, *fragments):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("snnzoo: error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def open_tree(path):
    with xr.open_datatree(path, decode_timedelta=False) as tree:
        return tree.load()


# -- list, info, plugins -------------------------------------------------------------------------------------------


def test_list_shows_every_kind_and_the_experiments(capsys):
    code, out, err = run_cli(capsys, "list")
    assert code == 0 and err == ""
    for heading in ("Models:", "Stimuli:", "Integrators:", "Experiments:"):
        assert heading in out
    registry = get_registry()
    listed = {line.split()[0] for line in out.splitlines() if line.startswith("  ")}
    for kind in ("model", "stimulus", "integrator", "experiment"):
        assert set(registry.names(kind)) <= listed
    assert set(EXPERIMENTS) <= listed
    experiments = out.split("Experiments:")[1]
    assert "Firing patterns of the AdEx neuron (Naud et al. 2008)" in experiments


def test_list_summaries_are_whole_sentences(capsys):
    """`snnzoo list` shows the first line of each description; adex_tau's broke after "(tau_m, R_m),"."""
    code, out, _ = run_cli(capsys, "list")
    summaries = {line.split()[0]: line.rsplit("  [", 1)[0] for line in out.splitlines() if line.startswith("  ")}
    assert summaries["adex_tau"].endswith("time-constant parametrisation (tau_m, R_m).")
    cut = [name for name, summary in summaries.items() if summary.rstrip().endswith((",", ";", ":", " as in", " and"))]
    assert not cut, f"descriptions whose first line stops mid-sentence: {cut}"


@pytest.mark.parametrize("name", ["function_current", "poisson_group", "exact", "milstein"])
def test_info_of_a_stimulus_or_integrator_reads_as_plain_text(capsys, name):
    """Their pages printed the class docstring raw: later lines indented by four spaces, code in
    reStructuredText's double backquotes, and for exact the private functions it calls (:func:`_chain_sum`)."""
    code, out, _ = run_cli(capsys, "info", name)
    body = out.split("\n\n", 1)[1].split("\nSettings:\n")[0]  # the docstring, before a stimulus's settings table
    assert code == 0 and body.strip()
    assert [line for line in body.splitlines() if line.startswith(" ")] == []
    assert "``" not in body and ":func:" not in body


def test_info_model_shows_equations_parameters_and_references(capsys):
    code, out, err = run_cli(capsys, "info", "adex")
    assert code == 0 and err == ""
    model = get_registry().model("adex")
    assert "Equations:" in out and "Parameters:" in out and "References:" in out
    for eq in model.equations:
        assert eq.text in out
    rows = {line.split()[0]: line.split() for line in out.split("Parameters:")[1].splitlines() if line.strip()}
    assert rows["C_m"][1:4] == ["200", "pF", "pF"]
    assert rows["g_L"][1:4] == ["10", "nS", "nS"]
    assert rows["tau_w"][1:4] == ["30", "ms", "ms"]
    assert "Threshold: v >= V_spike" in out and "Reset: v = V_reset; w += b" in out
    assert "Vcut -> V_spike" in out  # the old names are listed
    assert "tonic_spiking: C_m = 200 pF" in out  # and the presets
    assert "doi:10.1152/jn.00686.2005" in out


@pytest.mark.parametrize("argv, line", [
    (["run", "lif-decay", "--threads", "x"],
     "snnzoo: error: run: argument --threads: invalid int value: 'x' (see 'snnzoo run --help')"),
    (["sweep", "fi-curve"], "snnzoo: error: sweep: the following arguments are required: -o/--output"),
    ([], "snnzoo: error: the following arguments are required: command (see 'snnzoo --help')"),
])
def test_usage_errors_are_one_line(capsys, argv, line):
    """argparse printed its usage, then 'snnzoo run: error: ...': several lines, unlike every other input error."""
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert_one_line_error(err)
    assert err.startswith(line)


def test_info_parameter_table_columns_line_up(capsys):
    """Names longer than 10 characters (tau_r_AMPA_s) and long units pushed their rows' columns right."""
    code, out, _ = run_cli(capsys, "info", "ball_and_stick")
    table = out.split("Parameters:\n")[1].split("\n\n")[0].splitlines()
    header = table[0]
    for column in ("default", "unit", "description"):
        start = header.index(column)
        assert all(row[start - 1] == " " and row[start] != " " for row in table), column


def _table(out: str, title: str) -> dict[str, dict[str, str]]:
    """The table of ``snnzoo info`` after the line ``title:``: each row's cells by the columns of its header."""
    header, *rows = out.split(f"{title}:\n")[1].split("\n\n")[0].splitlines()
    names = header.split()
    starts = [header.index(f" {column}") + 1 for column in names] + [None]
    return {row.split()[0]: {column: row[starts[c]:starts[c + 1]].strip() for c, column in enumerate(names)}
            for row in rows}


def test_info_units_column_has_one_format(capsys):
    """The units column was pint's pretty format: 'µS' beside the default '20 uS', 'µF / cm ** 2', 'cm ** 2 * Ω',
    '1 / mV' (cells with spaces, symbols the model text does not use). Now every unit is written as model text
    writes it, in one compact cell: 'uS', 'uF/cm**2', 'cm**2*ohm', '1/mV', '1' when dimensionless."""
    from snnzoo.units import parse_unit

    registry = get_registry()
    for kind in ("model", "synapse"):
        for name in registry.names(kind):
            code, out, _ = run_cli(capsys, "info", name)
            parameters = registry.get(kind, name).parameters
            units = {parameter: row["unit"] for parameter, row in _table(out, "Parameters").items()}
            assert code == 0 and set(units) == set(parameters), name
            for parameter, unit in units.items():
                assert " " not in unit and unit.isascii(), (name, parameter, unit)
                assert parse_unit(unit, what=unit) == parameters[parameter].unit, (name, parameter, unit)
    code, out, _ = run_cli(capsys, "info", "hh_traub")
    assert _table(out, "Parameters")["g_na"] == {"name": "g_na", "default": "20 uS", "unit": "uS",
                                                "description": "maximal sodium conductance (100 mS/cm2 x area)"}
    code, out, _ = run_cli(capsys, "info", "ball_and_stick")
    rows = _table(out, "Parameters")
    assert [rows[name]["unit"] for name in ("c_m", "r_m", "r_i", "k_nmda", "g0_AMPA_d")] == [
        "uF/cm**2", "cm**2*ohm", "cm*ohm", "1/mV", "1"]
    code, out, _ = run_cli(capsys, "info", "adex_cond")
    assert _table(out, "Parameters")["sigma"]["unit"] == "pA*s**0.5"


def test_info_integrator_and_stimulus(capsys):
    code, out, _ = run_cli(capsys, "info", "rk4")
    assert code == 0 and "rk4" in out and "Runge" in out
    code, out, _ = run_cli(capsys, "info", "step_current")
    assert code == 0 and "step_current" in out


@pytest.mark.parametrize("name, settings", [
    ("step_current", {"times": ["(required)", "s"], "amplitudes": ["(required)", "(target)"]}),
    ("spike_generator", {"times": ["(required)", "s"], "indices": ["(optional)", "1"], "size": ["(optional)", "1"]}),
    ("constant_current", {"amplitude": ["(required)", "(target)"]}),  # its description never named the setting
    ("ou_current", {"mean": ["(required)", "(target)"], "sigma": ["(required)", "(target)"],
                    "tau": ["(required)", "s"], "shared": ["false", "-"]}),
    ("poisson_group", {"size": ["(required)", "1"], "rate": ["(required)", "Hz"], "parameters": ["(optional)", "-"]}),
])
def test_info_stimulus_lists_its_settings_with_defaults_and_units(capsys, name, settings):
    """The docs send users to `snnzoo info TYPE` for a stimulus's settings (the keys of its TOML table); it listed
    only their names ("Settings: times, amplitudes"). Now a table gives each one's default and unit too."""
    code, out, _ = run_cli(capsys, "info", name)
    table = _table(out, "Settings")
    assert code == 0 and out.rstrip().endswith(list(table.values())[-1]["description"])
    assert {setting: [row["default"], row["unit"]] for setting, row in table.items()} == settings


def test_every_shipped_stimulus_documents_each_setting(capsys):
    """Each stimulus of snnzoo-stimuli gives every setting of its constructor a unit and a meaning, and the
    reference page (docs/experiment-schema.md, generated) lists them as `snnzoo info` does."""
    from snnzoo.catalog.schema import markdown
    from snnzoo.language.stimulus import setting_rows

    page = markdown()
    for entry in get_registry().plugin_entries("stimuli"):
        if entry.kind != "stimulus":
            continue
        code, out, _ = run_cli(capsys, "info", entry.name)
        for name, default, unit, meaning in setting_rows(entry.obj):
            assert unit != "?" and meaning, (entry.name, name)
            assert _table(out, "Settings")[name] == {"name": name, "default": default, "unit": unit,
                                                     "description": meaning}
            assert f"| `{name}` | {default} | {unit} | {meaning} |" in page.split(f"### `{entry.name}`")[1]
    assert "| `tau` | (required) | s | the time constant, > 0 |" in page.split("### `ou_current`")[1]


def test_info_experiment(capsys):
    code, out, err = run_cli(capsys, "info", "adex-firing-patterns")
    assert code == 0 and err == ""
    assert out.startswith("adex-firing-patterns: Firing patterns of the AdEx neuron")
    assert "Populations: adex (8 x adex)" in out
    assert "Reference: Naud R" in out
    assert "adex-firing-patterns.toml" in out


def test_info_unknown_name_suggests(capsys):
    code, out, err = run_cli(capsys, "info", "adexx")
    assert code == 2 and out == ""
    assert_one_line_error(err, "'adexx'", "did you mean 'adex'?")


@pytest.mark.parametrize("name, meant", [("ADEX", "adex"), ("Step_Current", "step_current"),
                                         ("LIF-DECAY", "lif-decay"), ("STPD", "stdp")])
def test_info_unknown_name_in_another_case_suggests_the_name(capsys, name, meant):
    """A name in the wrong case got no suggestion ("unknown ... 'ADEX' (known: ...)"): difflib finds 'ADEX'
    nothing like 'adex'. Case is now ignored when nothing else is close."""
    code, out, err = run_cli(capsys, "info", name)
    assert code == 2 and out == ""
    assert_one_line_error(err, f"unknown model, synapse model, stimulus, integrator or experiment {name!r}; "
                               f"did you mean {meant!r}?")


def test_plugins_lists_the_five_plugins_with_versions(capsys):
    code, out, err = run_cli(capsys, "plugins")
    assert code == 0 and err == ""
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    distributions = {"integrators": "snnzoo", "adex": "snnzoo-adex", "hh": "snnzoo-hh", "lif": "snnzoo-lif",
                     "stimuli": "snnzoo-stimuli"}
    assert set(distributions) <= set(lines)
    for name, dist in distributions.items():
        assert f"{dist} {version(dist)}" in lines[name]
        assert " ok " in lines[name]
    assert lines["integrators"].endswith("(9 integrators)")  # was "(9 integrator)"
    assert lines["hh"].endswith("(1 model, 2 experiments)")
    assert lines["stimuli"].endswith("(8 stimuli)")


# -- run ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def flagship(tmp_path_factory):
    """``snnzoo run adex-firing-patterns -o DIR/x.nc -q --seed 7``, once for the module."""
    folder = tmp_path_factory.mktemp("flagship")
    out, err = io.StringIO(), io.StringIO()  # capsys is function-scoped: capture by hand
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["run", "adex-firing-patterns", "-o", str(folder / "x.nc"), "-q", "--seed", "7"])
    return code, out.getvalue(), err.getvalue(), folder


def test_run_writes_netcdf_and_figure_and_prints_the_checks(flagship):
    code, out, err, folder = flagship
    assert code == 0, err
    assert err == ""
    assert (folder / "x.nc").stat().st_size > 0
    assert (folder / "x.png").read_bytes()[:8] == PNG_MAGIC
    assert f"counts {W1_COUNTS}" in out
    assert "8/8 checks hold" in out
    assert "FAILED" not in out
    assert sorted(p.name for p in folder.iterdir()) == ["x.nc", "x.png"]  # no temporary files left


def test_run_result_file_has_counts_units_and_seed(flagship):
    _, _, _, folder = flagship
    tree = open_tree(folder / "x.nc")
    ds = tree["adex"].to_dataset()
    assert ds["spike_count"].values.tolist() == W1_COUNTS
    assert ds["v"].attrs["units"] == "V"
    assert ds["w"].attrs["units"] == "A"
    assert ds["I"].attrs["units"] == "A"
    assert ds["spike_time"].attrs["units"] == "s"
    assert ds["v"].shape == (5500, 8)
    assert tree.attrs["seed"] == 7
    provenance = json.loads(tree.attrs["snnzoo_provenance_json"])
    assert provenance["seed"] == 7
    assert provenance["experiment"] == "adex-firing-patterns"
    assert provenance["plugins"]["adex"] == version("snnzoo-adex")


def test_run_default_output_names_and_figure_option(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(capsys, "run", "lif-decay", "-q")
    assert code == 0
    assert (tmp_path / "lif-decay.nc").exists() and (tmp_path / "lif-decay.png").exists()
    assert "2/2 checks hold" in out
    code, _, _ = run_cli(capsys, "run", "lif-decay", "-q", "-o", "a.nc", "--figure", "pictures.png")
    assert code == 0
    assert (tmp_path / "a.nc").exists() and (tmp_path / "pictures.png").read_bytes()[:8] == PNG_MAGIC
    assert not (tmp_path / "a.png").exists()


def test_set_changes_the_results(tmp_path, capsys):
    code, out, _ = run_cli(capsys, "run", "adex-firing-patterns", "-q", "-o", str(tmp_path / "y.nc"),
                           "--set", "populations.adex.parameters.V_spike=-45 mV")
    counts = open_tree(tmp_path / "y.nc")["adex"]["spike_count"].values.tolist()
    assert counts != W1_COUNTS  # detecting spikes at -45 mV instead of 0 mV changes them
    assert code == 1  # so the expected counts no longer hold
    assert "FAILED" in out
    provenance = json.loads(open_tree(tmp_path / "y.nc").attrs["snnzoo_provenance_json"])
    assert provenance["populations"]["adex"]["parameters"]["V_spike"] == {"value": -45, "unit": "mV"}


def test_set_a_nonexistent_path(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "run", "adex-firing-patterns", "-q", "--set", "nonexistent.path=1")
    assert code == 2 and out == ""
    assert_one_line_error(err, "nonexistent.path")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("assignment, fragment", [
    ("populations.adex.sizes=3", "populations.adex.sizes"),
    ("populations.adex.size", "PATH=VALUE"),
])
def test_bad_set_assignments(capsys, assignment, fragment):
    code, _, err = run_cli(capsys, "run", "adex-firing-patterns", "-q", "--set", assignment)
    assert code == 2
    assert_one_line_error(err, fragment)


def test_unknown_experiment_suggests_the_closest(capsys):
    code, _, err = run_cli(capsys, "run", "adex-firing-pattern")
    assert code == 2
    assert_one_line_error(err, "'adex-firing-pattern'", "did you mean 'adex-firing-patterns'?")


def test_a_name_of_a_megabyte_is_shown_by_its_start_end_and_length(capsys):
    """The whole name was echoed: one line of a megabyte on the terminal."""
    name = "ab" * 500_000
    code, _, err = run_cli(capsys, "run", name)
    assert code == 2
    assert_one_line_error(err, f"unknown experiment '{name[:119]}...{name[-39:]}' ({len(name) + 2} characters) (known: ")
    assert len(err) < 1000


LONG = "x" * 300
"""A name longer than a file system takes (255 bytes): asking whether such a file exists raises an OSError."""


@pytest.mark.parametrize("argv, said", [
    (["run", LONG], "unknown experiment 'xxx"),
    (["sweep", LONG, "-o", "OUT"], "unknown experiment 'xxx"),
    (["run", f"{LONG}.toml"], "xxx.toml (305 characters): File name too long"),
    (["info", LONG], "xxx (300 characters): File name too long"),
    (["rerun", f"{LONG}.nc"], "xxx.nc (303 characters): File name too long"),
    (["run", "lif-decay", "-q", "-o", f"{LONG}/x.nc"], "xxx/x.nc (305 characters): File name too long"),
    (["sweep", "adex-firing-patterns", "--grid", "duration=10 ms", "-o", LONG],
     "xxx (300 characters): File name too long"),
])
def test_a_name_too_long_for_a_file_is_one_line(tmp_path, monkeypatch, capsys, argv, said):
    """Each was an internal error: 'OSError: [Errno 36] File name too long', raised where snnzoo asked whether a file
    of that name exists or made it; nothing is written."""
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, *argv)
    assert code == 2
    assert_one_line_error(err, said)
    assert list(tmp_path.iterdir()) == []


def test_output_into_a_missing_folder(tmp_path, capsys):
    target = tmp_path / "missing" / "x.nc"
    code, out, err = run_cli(capsys, "run", "lif-decay", "-q", "-o", str(target))
    assert code == 2
    assert_one_line_error(err, str(target.parent))
    assert not target.exists() and not target.with_suffix(".png").exists()
    assert list(tmp_path.iterdir()) == []


def test_figure_into_a_missing_folder_writes_nothing(tmp_path, capsys):
    code, _, err = run_cli(capsys, "run", "lif-decay", "-q", "-o", str(tmp_path / "x.nc"),
                           "--figure", str(tmp_path / "nope" / "x.png"))
    assert code == 2
    assert_one_line_error(err, "nope")
    assert list(tmp_path.iterdir()) == []


def test_bad_toml_file_names_the_file(tmp_path, capsys):
    bad = tmp_path / "broken.toml"
    bad.write_text('title = "unterminated\nduration = "1 ms"\n')
    code, _, err = run_cli(capsys, "run", str(bad))
    assert code == 2
    assert_one_line_error(err, str(bad), "invalid TOML")


def test_a_toml_file_nested_too_deeply_is_invalid_toml(tmp_path, capsys):
    deep = tmp_path / "deep.toml"  # tomllib's RecursionError was an internal error
    deep.write_text('duration = "1 ms"\nx = ' + "[" * 2000 + "]" * 2000 + "\n")
    code, _, err = run_cli(capsys, "run", str(deep))
    assert code == 2
    assert_one_line_error(err, f"experiment file {deep}: invalid TOML (arrays or tables nested too deeply to read)")


@pytest.mark.parametrize("command, said", [
    ("run", "experiment: expected a catalog experiment's name ('snnzoo list' shows them) or an experiment file's "
            "path, got ''"),
    ("info", "info: expected an experiment file, model, stimulus or integrator name, got an empty name"),
])
def test_an_empty_name_is_refused_as_empty(capsys, command, said):
    # "" is the current folder to pathlib: "experiment '': a folder, not a catalog experiment ..."
    code, _, err = run_cli(capsys, command, "")
    assert code == 2
    assert_one_line_error(err, said)


@pytest.mark.parametrize("command", ["run", "info"])
def test_a_toml_file_that_is_not_utf8_names_the_file(tmp_path, capsys, command):
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('title = "d\u00e9croissance"\nduration = "1 ms"\n'.encode("latin-1"))
    code, _, err = run_cli(capsys, command, str(latin1))
    assert code == 2
    assert_one_line_error(err, str(latin1), "not UTF-8 text")


def test_an_experiment_file_in_capitals_runs_and_a_file_without_toml_is_named(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("UP.TOML").write_text('duration = "1 ms"\n[populations.p]\nmodel = "lif"\nsize = 1\n')
    code, out, err = run_cli(capsys, "run", "UP.TOML", "-q")
    assert code == 0, err
    assert "wrote UP.nc and UP.png" in out
    Path("noext").write_text(Path("UP.TOML").read_text())
    for command, name in (("run", "noext"), ("run", "./noext"), ("info", "noext")):
        code, _, err = run_cli(capsys, command, name)
        assert code == 2
        assert_one_line_error(err, f"experiment {name!r}: not a catalog experiment, and the file of that name is not "
                              "an experiment file (their names end in .toml)")
        assert "known:" not in err  # not the whole catalog


def test_missing_toml_file(tmp_path, capsys):
    code, _, err = run_cli(capsys, "run", str(tmp_path / "nothing.toml"))
    assert code == 2
    assert_one_line_error(err, "nothing.toml")


def test_run_a_user_experiment_file(tmp_path, capsys):
    spec = tmp_path / "mine.toml"
    spec.write_text(
        'title = "Charging a perfect integrator"\n'
        'dt = "0.1 ms"\nduration = "100 ms"\n'
        '[populations.p]\nmodel = "perfect_if"\nsize = 2\n'
        '[stimuli.current]\ntype = "constant_current"\npopulation = "p"\n'
        'amplitude = { value = [100, 200], unit = "pA" }\n'
        # dv/dt = I/C: 0.5 and 1 V/s, Vr -> Vt (20 mV) in ~40 and ~20 ms: 2 and 4-5 spikes in 100 ms
        '[[expected]]\ncheck = "spike_count"\npopulation = "p"\nneuron = 0\nvalue = 2\n'
        '[[expected]]\ncheck = "spike_count"\npopulation = "p"\nneuron = 1\nvalue = 4.5\ntolerance = 0.5\n'
    )
    code, out, err = run_cli(capsys, "run", str(spec), "-q", "-o", str(tmp_path / "mine.nc"))
    assert code == 0, out + err
    assert "2/2 checks hold" in out
    # nothing recorded and no [figure]: the default figure is a spike raster
    assert (tmp_path / "mine.png").read_bytes()[:8] == PNG_MAGIC
    assert open_tree(tmp_path / "mine.nc").attrs["experiment"] == "mine"


def test_bad_figure_spec_writes_no_files(tmp_path, capsys):
    spec = tmp_path / "figure.toml"
    spec.write_text('duration = "1 ms"\n[populations.p]\nmodel = "lif"\nsize = 1\n'
                    '[figure]\nkind = "traces"\nvariable = "zz"\n')
    code, _, err = run_cli(capsys, "run", str(spec), "-q", "-o", str(tmp_path / "f.nc"))
    assert code == 2
    assert_one_line_error(err, "'zz'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figure.toml"]


# -- the installed command, in a subprocess ------------------------------------------------------------------------


def snnzoo_command():
    script = Path(sys.executable).with_name("snnzoo")
    return [str(script)] if script.exists() else [sys.executable, "-m", "snnzoo.cli"]


def test_command_error_is_one_line_without_traceback():
    done = subprocess.run(snnzoo_command() + ["run", "adex-firing-pattern"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert_one_line_error(done.stderr, "did you mean 'adex-firing-patterns'?")


def test_command_runs_an_experiment(tmp_path):
    done = subprocess.run(snnzoo_command() + ["run", "hh-current-step", "-q", "-o", str(tmp_path / "hh.nc")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "1/1 checks hold" in done.stdout
    assert (tmp_path / "hh.nc").exists() and (tmp_path / "hh.png").exists()


def test_command_stops_quietly_when_the_reader_closes_the_pipe():
    """`snnzoo list | head -1`: the reader leaves early; the command ends with status 0 and says nothing."""
    listing = subprocess.Popen(snnzoo_command() + ["list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    listing.stdout.readline()
    listing.stdout.close()
    _, err = listing.communicate(timeout=120)
    assert listing.returncode == 0
    assert err.decode() == ""


def test_python_dash_m_snnzoo_is_the_command():
    done = subprocess.run([sys.executable, "-m", "snnzoo", "info", "no-such-thing"], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.startswith("snnzoo: error:") and done.stdout == "", done.stderr
    done = subprocess.run([sys.executable, "-m", "snnzoo", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("usage: snnzoo ")


def test_rerun_of_an_interrupted_result_says_why_it_is_not_compared(tmp_path, capsys):
    """A result whose run was interrupted (complete = 0) was rerun to the end and reported as differing
    ("/p/spike_time differs; ...", exit 1), with no word on why."""
    from snnzoo.results.tree import open_result

    toml = tmp_path / "steady.toml"
    toml.write_text('duration = "40 ms"\nseed = 2\n[populations.p]\nmodel = "lif"\nsize = 2\n'
                    '[stimuli.drive]\ntype = "constant_current"\npopulation = "p"\namplitude = "3 nA"\n')
    assert main(["run", str(toml), "-q", "-o", str(tmp_path / "whole.nc")]) == 0
    tree = open_result(tmp_path / "whole.nc")
    recorded = json.loads(tree.attrs["snnzoo_provenance_json"])
    tree.attrs.update(complete=0, duration=0.02, snnzoo_provenance_json=json.dumps(
        {**recorded, "complete": 0, "duration": 0.02}))  # as a Ctrl-C at 20 ms leaves it
    tree.to_netcdf(tmp_path / "partial.nc")
    capsys.readouterr()
    code, out, _ = run_cli(capsys, "rerun", str(tmp_path / "partial.nc"), "-q")
    assert code == 0 and "differs" not in out, out
    assert f"not compared with {tmp_path / 'partial.nc'}: its run was interrupted at 0.02 s (complete = 0), so it " \
           "holds only the start of the data" in out


def test_every_argument_of_every_command_says_what_it_takes():
    """`snnzoo info -h` showed its `name` argument without a word on what it names."""
    import argparse

    from snnzoo.cli import parser

    commands = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    silent = [f"{name} {action.dest}" for name, command in commands.choices.items() for action in command._actions
              if not isinstance(action, argparse._HelpAction) and action.help in (None, "")]
    assert silent == []


def test_info_of_an_experiment_file_with_an_unknown_model_is_refused_as_run_refuses_it(tmp_path, capsys):
    """info printed 'Populations: E (2 x liff)' and exited 0, while run refused the file."""
    path = tmp_path / "m.toml"
    path.write_text('duration = "5 ms"\n[populations.E]\nmodel = "liff"\nsize = 2\n')
    for command in ("info", "run"):
        assert main([command, str(path)]) == 2
        assert f"experiment file {path}: [populations.E]: unknown model 'liff'; did you mean 'lif'?" in \
            capsys.readouterr().err


def test_a_rerun_that_differs_names_the_model_that_changed_since_the_file(tmp_path, capsys, monkeypatch):
    """A plugin's model edited in place (same version) made the rerun differ with no word of why."""
    import dataclasses

    from snnzoo.plugins.loader import get_registry

    path = tmp_path / "e.toml"
    path.write_text('duration = "50 ms"\nseed = 1\n[populations.n]\nmodel = "lif"\nsize = 2\n'
                    '[stimuli.drive]\ntype = "constant_current"\npopulation = "n"\namplitude = "60 pA"\n')
    assert main(["run", str(path), "-q", "--no-check", "-o", str(tmp_path / "e.nc")]) == 0
    parameters = get_registry().model("lif").parameters
    lower = dataclasses.replace(parameters["V_th"], default=parameters["V_th"].default - 0.005,
                                default_text=f"{(parameters['V_th'].default - 0.005) * 1e3:g} mV")
    monkeypatch.setitem(parameters, "V_th", lower)  # as an edit of the plugin's source would change it
    capsys.readouterr()
    assert main(["rerun", str(tmp_path / "e.nc"), "-q"]) == 1
    assert "(likely cause: model 'lif' is not the one the file records (its equations, parameters or defaults " \
           "changed since))" in capsys.readouterr().out

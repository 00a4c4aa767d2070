"""Property-based tests: generated equations, units, experiment files and command lines either
work or fail with an snnzoo error, never another exception, and within a time budget.

The example counts are fixed (``derandomize``: the same cases in every run) so CI cost is
bounded: 150 equation blocks, 300 quantities, 120 experiment files, 40 override lists and 40 command
lines (650 cases).
"""

from __future__ import annotations

import copy
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import snnzoo as sz
from snnzoo.catalog.experiment import Experiment, apply_override
from snnzoo.cli import main
from snnzoo.errors import SnnzooError
from snnzoo.units import as_quantity, to_si

BUDGET_SECONDS = 20.0
"""No generated case may take longer than this (the symbolic budget is far below a hang)."""


def fuzz(examples: int):
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def works_or_snnzoo_error(action) -> None:
    began = time.monotonic()
    try:
        action()
    except SnnzooError:
        pass
    assert time.monotonic() - began < BUDGET_SECONDS


# -- equations ------------------------------------------------------------------------------------------------------

NAMES = ["v", "w", "tau", "I", "t", "dt", "N", "i", "xi", "_new_v", "h0_0", "x_v", "pi", "e", "mV", "ms", "nS", "pA",
         "degC", "h", "exprel", "foo"]
NUMBERS = ["0", "1", "2.5", "-3", "1e308", "1e-320", "10**10**10", "2**-2000", "nan", "inf", "0.0"]
FUNCTIONS = ["exp", "log", "sqrt", "abs", "sin", "exprel", "int", "clip", "min", "max", "rand", "unknown"]


@st.composite
def expressions(draw, depth: int = 0):
    if depth > 3 or draw(st.booleans()):
        return draw(st.sampled_from(NAMES + NUMBERS))
    kind = draw(st.sampled_from(["binary", "call", "unary", "compare", "junk"]))
    if kind == "binary":
        op = draw(st.sampled_from(["+", "-", "*", "/", "**", "%"]))
        return f"({draw(expressions(depth + 1))} {op} {draw(expressions(depth + 1))})"
    if kind == "call":
        args = draw(st.lists(expressions(depth + 1), min_size=0, max_size=3))
        return f"{draw(st.sampled_from(FUNCTIONS))}({', '.join(args)})"
    if kind == "unary":
        return f"-{draw(expressions(depth + 1))}"
    if kind == "compare":
        return f"({draw(expressions(depth + 1))} > {draw(expressions(depth + 1))})"
    return draw(st.sampled_from(["(", "v +", "lambda: 0", "__import__('os')", "v[0]", "v.real", "'text'", ""]))


UNITS = ["volt", "1", "amp", "siemens", "second", "mV", "degC", "kelvin", "metre", "bogus", "(unless refractory)",
         "volt (linked)"]


@st.composite
def equation_blocks(draw):
    lines = []
    for name in draw(st.lists(st.sampled_from(["v", "w", "I", "t", "_x", "y"]), min_size=1, max_size=3)):
        form = draw(st.sampled_from(["d{n}/dt = {e} : {u}", "{n} = {e} : {u}", "{n} : {u}", "{n} {e}"]))
        lines.append(form.format(n=name, e=draw(expressions()), u=draw(st.sampled_from(UNITS))))
    return "\n".join(lines)


@fuzz(150)
@given(equations=equation_blocks(), threshold=st.one_of(st.none(), expressions()),
       tau=st.sampled_from(["10 ms", "-1 ms", "0 ms", "inf ms", "nan ms", "10", "10 mV", "[1 2] ms"]))
def test_generated_equations_make_a_model_or_an_snnzoo_error(equations, threshold, tau):
    works_or_snnzoo_error(lambda: sz.NeuronModel("fuzz", equations, {"tau": tau}, threshold=threshold))


# -- units ----------------------------------------------------------------------------------------------------------

UNIT_WORDS = ["ms", "mV", "nS", "pA", "Hz", "degC", "degF", "kelvin", "parsec", "1", "", "m**2", "ms**0.5", "1/s",
              "bogus", "mV*", "**", "GiB"]
MAGNITUDES = ["0", "-1", "2.5", "1e400", "-1e-400", "nan", "inf", "-inf", "[1 2 3]", "[1, 2]", "[]", "[a b]", "[[1]]",
              "1_000", "0x10", "True", "1j", ""]


@fuzz(300)
@given(value=st.one_of(
    st.builds(lambda m, w: f"{m} {w}", st.sampled_from(MAGNITUDES), st.sampled_from(UNIT_WORDS)),
    st.text(max_size=20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-10**30, max_value=10**30),
    st.booleans(), st.none(),
    st.lists(st.sampled_from(["1 ms", "2 mV", 3, "x"]), max_size=3),
    st.fixed_dictionaries({"value": st.sampled_from([1, "x", [1, 2], None]), "unit": st.sampled_from(UNIT_WORDS)})),
    expected=st.sampled_from(["s", "V", "1", "Hz", "S"]),
    sign=st.sampled_from([None, "positive", "non-negative"]))
def test_generated_quantities_convert_or_give_an_snnzoo_error(value, expected, sign):
    works_or_snnzoo_error(lambda: as_quantity(value, what="x"))
    works_or_snnzoo_error(lambda: to_si(value, expected, what="x", sign=sign))


# -- experiment files ---------------------------------------------------------------------------------------------

BASE = Experiment.load("lif-decay").spec
PATHS = ["dt", "seed", "duration", "models.decay.equations", "models.decay.parameters.tau", "models.decay.rat",
         "populations.decay.size", "populations.decay.model", "populations.decay.parameters.tau",
         "populations.decay.initial.x", "populations.decay.parameter", "monitors.x.variables", "monitors.x.rate",
         "monitors.x.neurons", "figure.kind", "figure.variable", "figure.bin", "protocol", "expected", "name",
         "stimuli", "projections.p", "sources.s.type", "colour"]
VALUES = [0, -1, 1.5, 10**20, "1 ms", "-5 ms", "nan ms", "0.05 ms", "1 degC", "lif", "decay", "x", ["x"], [0, 5],
          [], {}, {"x": 1}, True, "", "../x", "raster", "[1 2] ms", {"type": "poisson_group", "size": 2}]


def set_path(spec: dict, path: str, value) -> None:
    node = spec
    keys = path.split(".")
    for key in keys[:-1]:
        node = node.setdefault(key, {}) if isinstance(node, dict) else {}
    if isinstance(node, dict):
        node[keys[-1]] = value


@fuzz(120)
@given(changes=st.lists(st.tuples(st.sampled_from(PATHS), st.sampled_from(VALUES)), min_size=1, max_size=3))
def test_generated_experiments_build_or_give_an_snnzoo_error(changes):
    spec = copy.deepcopy(BASE)
    for path, value in changes:
        set_path(spec, path, copy.deepcopy(value))

    def build():
        experiment = Experiment(str(spec.get("name", "fuzz")) if isinstance(spec.get("name"), str) else "fuzz", spec)
        experiment.validate(experiment.build())

    works_or_snnzoo_error(build)


@fuzz(40)
@given(assignments=st.lists(st.builds(lambda p, v: f"{p}={v}", st.sampled_from(PATHS + ["a.b.c", "=", ""]),
                                       st.sampled_from(["1", "-1", "1.5", "'x'", "[1,", "1 ms", "nan", "{", "\"a\""])),
                            max_size=3))
def test_generated_set_overrides_apply_or_give_an_snnzoo_error(assignments):
    def apply():
        spec = copy.deepcopy(BASE)
        for assignment in assignments:
            apply_override(spec, assignment)
        Experiment("fuzz", spec)

    works_or_snnzoo_error(apply)


# -- command lines ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("cli")


ARGUMENTS = ["run", "info", "list", "plugins", "lif-decay", "lif-decai", "nothing.toml", "--seed", "-1", "1.5", "7",
             "--set", "dt=0", "populations.decay.size=0", "seed=-3", "models.decay.parameters.tau=-1 ms", "-o",
             "out.nc", "sub/out.nc", "--figure", ".", "-q", "--bogus", "adex"]


@fuzz(40)
@given(argv=st.lists(st.sampled_from(ARGUMENTS), min_size=1, max_size=6))
def test_generated_command_lines_exit_with_a_status_and_no_traceback(workdir, monkeypatch, capsys, argv):
    monkeypatch.chdir(workdir)
    began = time.monotonic()
    try:
        status = main(argv)
    except SystemExit as exit:  # argparse's usage errors
        status = exit.code
    out, err = capsys.readouterr()
    assert status in (0, 1, 2, 130), (argv, err)
    assert "Traceback" not in err and "internal error" not in err, (argv, err)
    assert time.monotonic() - began < 10 * BUDGET_SECONDS

"""Quantity texts that pint reads otherwise than a modeller means: the error says how pint read them and
what to write instead (docs/bad-input.md, "unit symbols pint reads as something else")."""

from __future__ import annotations

import pytest

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.cli import main
from snnzoo.errors import UnitError
from snnzoo.units import as_quantity, is_quantity_text, to_si


@pytest.mark.parametrize(("text", "said"), [
    # a clock name is a mass to pint: 2 decitonnes, 5 tonnes
    ("2 dt", "'2 dt': pint reads 'dt' as a mass (decimetric_ton), not the time step; write the value in its unit "
             "(e.g. '0.2 ms' for a time), or 2*dt where an expression may stand (as in a refractory period)"),
    ("5 t", "'5 t': pint reads 't' as a mass (metric_ton), not the simulated time; write the value in its unit "
            "(e.g. '0.2 ms' for a time)"),
    ("[1 2] dt", "pint reads 'dt' as a mass"),
    ({"value": 2, "unit": "dt"}, "'dt': pint reads 'dt' as a mass"),
])
@pytest.mark.parametrize("unit", ["s", "Hz", "kg"])  # refused whatever is expected, a mass too
def test_a_clock_name_among_the_unit_symbols_is_refused_saying_how_pint_reads_it(text, said, unit):
    with pytest.raises(UnitError) as caught:
        to_si(text, unit, what="tau")
    assert str(caught.value).startswith("tau: ") and said in str(caught.value)
    assert is_quantity_text("2 dt") is False


@pytest.mark.parametrize(("text", "unit", "said"), [
    # a symbol in the other case: picoseconds for picosiemens, megasiemens for milliseconds, nanometres for nM
    ("2 ps", "S", "got 2 ps of dimension [time]; did you mean '2 pS' or '2 PS'?"),
    ("1 MS", "s", "got 1 MS of dimension [conductance]; did you mean '1 Ms' or '1 ms'?"),
    ("10 nm", "mM", "did you mean '10 nM'?"),
    ("3 pa", "A", "did you mean '3 pA'"),  # pint's picoyear
])
def test_a_symbol_in_the_other_case_gets_the_spellings_that_fit(text, unit, said):
    with pytest.raises(UnitError) as caught:
        to_si(text, unit, what="tau")
    assert said in str(caught.value)
    assert str(caught.value).startswith("tau: expected dimension")


@pytest.mark.parametrize(("text", "said"), [
    ("1 mv", "did you mean '1 mV'?"),  # not '1 MV' (two letters changed)
    ("4 nf", "did you mean '4 nF'?"),
    ("10 MOhm", "did you mean '10 Mohm'?"),
    ("5 khz", "did you mean '5 kHz'?"),
])
def test_an_unknown_symbol_gets_its_spellings_in_the_other_case(text, said):
    with pytest.raises(UnitError, match="is not defined in the unit registry") as caught:
        as_quantity(text, what="x")
    assert str(caught.value).endswith(said)


def test_no_spelling_is_suggested_where_none_fits():
    with pytest.raises(UnitError) as caught:
        to_si("1 G", "S", what="g")  # gauss; 'g' (gram) is no conductance either
    assert "did you mean" not in str(caught.value)
    assert is_quantity_text("2*tau") is False  # an expression, read as one without looking for spellings


def test_a_number_without_a_unit_says_so():
    with pytest.raises(UnitError, match=r"^dt: expected a quantity of dimension \[time\] \(e\.g\. '1 s'\), "
                                        r"got '5', a number without a unit$"):
        to_si("5", "s", what="dt")


def test_a_logarithmic_unit_gets_no_temperature_advice():
    with pytest.raises(UnitError, match="the logarithmic unit decibel is not supported") as caught:
        as_quantity("3 dB", what="gain")
    assert "kelvin" not in str(caught.value)
    with pytest.raises(UnitError, match="give temperatures in kelvin"):
        as_quantity("20 degC", what="T0")


def test_the_network_models_and_the_command_line_explain_dt(tmp_path, capsys, monkeypatch):
    with pytest.raises(UnitError, match="pint reads 'dt' as a mass"):
        sz.Network(dt="2 dt")
    net = sz.Network()
    net.add_population("A", "lif", 2)
    with pytest.raises(UnitError, match=r"population 'B'.*refractory.*or 2\*dt where an expression may stand"):
        net.add_population("B", "lif", 2, refractory="2 dt")
    with pytest.raises(UnitError, match=r"population 'C' \(model 'lif'\): parameter 'tau_m': '2 dt': pint reads"):
        net.add_population("C", "lif", 2, parameters={"tau_m": "2 dt"})
    with pytest.raises(UnitError, match="projection 'A_to_A': delay: .*pint reads 'dt' as a mass"):
        net.connect("A", "A", on="v", weight=1 * u.mV, p=1.0, delay="2 dt")
    # a parameter's default gives its unit: it was 'the right-hand side is in 1 / dt 1 / [mass] ...'
    with pytest.raises(UnitError, match=r"^model 'decay': parameter 'tau': '2 dt': pint reads 'dt' as a mass"):
        sz.NeuronModel("decay", "dx/dt = -x/tau : 1", {"tau": "2 dt"})
    _refused_at_the_command_line(["--set", "dt=2 dt"], "pint reads 'dt' as a mass (decimetric_ton), not the time step",
                                 tmp_path, capsys, monkeypatch)


def _refused_at_the_command_line(settings: list[str], said: str, tmp_path, capsys, monkeypatch) -> None:
    """``snnzoo run lif-decay`` with ``settings`` exits 2 with one line saying ``said``, writing nothing."""
    monkeypatch.chdir(tmp_path)
    assert main(["run", "lif-decay", *settings, "-q"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and said in error
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("text", "said"), [
    # characters pint leaves out: '−70 mV' (a minus sign from a document) was +70 mV, '70 m$V' 70 m*V
    ("\u221270 mV", "holds '\u2212' (MINUS SIGN), which pint would leave out or misread; write '-' instead"),
    ("\u201370 mV", "holds '\u2013' (EN DASH)"),
    ("1e\u22123 s", "holds '\u2212' (MINUS SIGN)"),  # it was 3 elementary charges times a second
    ("2\u00d73 mV", "holds '\u00d7' (MULTIPLICATION SIGN), which pint would leave out or misread; write '*' instead"),
    ("70 m$V", "holds '$' (DOLLAR SIGN)"),
    ("70 mV!", "holds '!' (EXCLAMATION MARK)"),
    ("70 mV # rest", "holds '#' (NUMBER SIGN)"),
    ("\u200b70 mV", "holds '\\u200b' (ZERO WIDTH SPACE)"),
    # a comma or numbers side by side are a product to pint: 15 ms, 20000 pA, 2 pA
    ("1,5 ms", "holds a comma, which pint reads as a multiplication ('1,5 ms' would be 15 ms); write a decimal "
               "point ('1.5 ms'), or a list in brackets ('[1, 5] ms') where a list is taken"),
    ("100, 200 pA", "holds a comma"),
    ("1 2 pA", "holds the numbers 1 and 2 with no operator between them, which pint would multiply; expected a "
               "number and a unit, e.g. '-70 mV'"),
    ("1 ms 2", "holds the numbers 1 and 2 with no operator"),
])
def test_a_text_pint_would_misread_in_silence_is_refused_naming_what_is_wrong(text, said):
    with pytest.raises(UnitError) as caught:
        as_quantity(text, what="E_L")
    assert str(caught.value).startswith(f"E_L: {text!r} ") and said in str(caught.value)
    assert is_quantity_text(text) is False


def test_a_parameter_with_a_minus_sign_from_a_document_says_what_to_write():
    """A population's parameter may be an expression, and its parser said only "cannot parse '\u221270 mV'
    (invalid character '\u2212' (U+2212))", not the message docs/bad-input.md quotes."""
    with pytest.raises(UnitError, match="^population 'a' \\(model 'adex'\\): parameter 'E_L': '\u221270 mV' "
                                        "holds '\u2212' \\(MINUS SIGN\\), which pint would leave out or misread; "
                                        "write '-' instead"):
        sz.Network(dt=0.1 * u.ms).add_population("a", "adex", 2, parameters={"E_L": "\u221270 mV"})


@pytest.mark.parametrize(("text", "value"), [
    ("-70 mV", -0.07), ("70\u00a0mV", 0.07), ("[1, 2] mV", [0.001, 0.002]), ("[10 20] ms", [0.01, 0.02]),
    ("1e-3 s", 0.001), ("5 \u00b5s", 5e-6), ("5 \u03bcs", 5e-6), ("1 k\u03a9", 1e3), ("1/(2 ms)", 500.0),
    ("2 ms**-1", 2000.0), ("2 \u00b5m\u00b2", 2e-12), ("5 mV\u00b7s", 0.005), ("2 * 3 mV", 0.006),
    ("5 1 / second", 5.0), ("2 1", 2.0),  # a number and a unit as pint writes it: f"{magnitude} {units}"
])
def test_texts_pint_reads_as_written_still_read(text, value):
    assert to_si(text, as_quantity(text, what="x").units, what="x") == pytest.approx(value)


def test_a_unit_text_pint_would_misread_is_refused_and_so_is_a_setting_at_the_command_line(tmp_path, capsys,
                                                                                         monkeypatch):
    with pytest.raises(UnitError, match=r"^unit: 'm\$V' holds '\$' \(DOLLAR SIGN\), which pint would leave out or "
                                        r"misread; expected a unit, e\.g\. 'mV'$"):
        as_quantity({"value": 70, "unit": "m$V"}, what="unit")
    # --set with a minus sign from a document: a stimulus ran at +400 pA
    _refused_at_the_command_line(["--set", "models.decay.parameters.tau=\u221220 ms"], "holds '\u2212' (MINUS SIGN)",
                                 tmp_path, capsys, monkeypatch)


@pytest.mark.parametrize(("default", "said"), [
    ("10 mS", "(parameter tau's default '10 mS' is in [conductance]; did you mean '10 ms' or '10 Ms'?)"),
    ("10 MS", "(parameter tau's default '10 MS' is in [conductance]; did you mean '10 Ms' or '10 ms'?)"),
    ("10", "(dimensionless parameters in it: tau; did a default lose its unit, e.g. '100' for '100 pF'?)"),
])
def test_an_equation_whose_units_do_not_add_up_names_the_default_in_the_wrong_case(default, said):
    # millisiemens for milliseconds: the error named the equation and '[mass] ** 2 * [length] ** 4 / ...' only
    with pytest.raises(sz.EquationError, match=r"^model 'm': equation 'dv/dt = -v/tau : volt': the right-hand "
                                               r"side is in V") as caught:
        sz.NeuronModel("m", "dv/dt = -v/tau : volt", {"tau": default})
    assert str(caught.value).endswith(said)

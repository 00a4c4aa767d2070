"""The one pint registry of the process, and the boundary where units are stripped.

snnzoo uses pint's application registry (``pint.get_application_registry()``),
so quantities made by the user, by pint-xarray and by snnzoo all mix. Values are
checked once, when a model or simulation is built, and converted to plain SI
floats; no pint object enters the engine. This module is the one validation
layer for quantities: dimension, finiteness and sign (:func:`to_si`), offset
units such as ``degC`` (refused: the engine integrates absolute values), unit symbols pint reads
otherwise than a modeller means (``"2 dt"``: decitonnes; ``"2 ps"`` for a conductance), and
integers such as seeds (:func:`whole_number`) and indices (:func:`whole_numbers`).
"""

from __future__ import annotations

import functools
import itertools
import math
import numbers
import re
import shutil
import string
import unicodedata
from typing import Any, Literal

import numpy as np
import pint

from .errors import ConfigError, UnitError, ValueRangeError
from .time_steps import CLOCK_MEANINGS, clock_names_read



def _application_registry() -> pint.UnitRegistry:
    """pint's application registry; if nothing has used it yet, made from pint's definitions
    parsed once and kept in the cache folder (0.03 s instead of 0.14 s at every start)."""
    if type(pint.application_registry.get()) is pint.LazyRegistry:  # untouched: replacing it changes nothing
        from .cache_folder import cache_root

        folder = cache_root() / f"pint-{pint.__version__}"
        try:
            pint.set_application_registry(pint.UnitRegistry(cache_folder=folder))
        except Exception:  # noqa: BLE001 an unusable or damaged cache: pint writes it in place, so a process
            # stopped while writing leaves a truncated pickle; drop it (the next start writes it again) and
            # let pint parse its definitions as usual
            shutil.rmtree(folder, ignore_errors=True)
    return pint.get_application_registry()


ureg = _application_registry()
Quantity = ureg.Quantity


def _define_missing_units() -> None:
    """Add the few neuroscience spellings pint lacks (Mohm, Gohm, umetre)."""
    for spelling, definition in {
        "Mohm": "megaohm",
        "Gohm": "gigaohm",
        "kohm": "kiloohm",
        "umetre": "micrometer",
        "metre": "meter",
    }.items():
        if spelling not in ureg:
            ureg.define(f"{spelling} = {definition}")


_define_missing_units()


Sign = Literal["positive", "non-negative"]
_LIST_TEXT = re.compile(r"^\s*\[(?P<items>[^\[\]]*)\]\s*(?P<unit>.*)$")


def parse_unit(text: str, *, what: str) -> pint.Unit:
    """Parse a unit string such as ``"mV"`` or ``"1"``; ``what`` names it in errors."""
    if text.strip() in ("1", "", "dimensionless"):
        return ureg.dimensionless
    _refuse_misread_text(text, what, expected="a unit, e.g. 'mV'")
    try:
        unit = ureg.Unit(text)
    except Exception as err:  # pint raises many kinds for bad text
        raise UnitError(f"{what}: unknown unit {text!r} ({err}){_respelt(text)}") from None
    _refuse_offset_unit(unit, what)
    return unit


def _refuse_offset_unit(unit: pint.Unit, what: str) -> None:
    """Offset units (``degC``, ``degF``) have no meaning as increments, so the engine cannot use them."""
    if not ureg.Quantity(1.0, unit)._is_multiplicative:
        raise _offset_unit_error(f"{unit:~}", what)


def _offset_unit_error(unit: str, what: str) -> UnitError:
    if not _is_temperature(unit):  # a logarithmic unit (dB, Np): no temperature advice
        return UnitError(f"{what}: the logarithmic unit {unit} is not supported (it is no multiple of an SI unit); "
                         "give the value as a plain ratio or in an SI unit")
    return UnitError(f"{what}: the offset unit {unit} is not supported (20 degC would be integrated as "
                     "293.15 K); give temperatures in kelvin, e.g. '293.15 K'")


def _is_temperature(unit: str) -> bool:
    """Whether pint's name ``unit`` (of a non-multiplicative unit) is a temperature (degC) rather than logarithmic."""
    try:
        return ureg.Unit(unit).dimensionality == ureg.kelvin.dimensionality
    except Exception:  # noqa: BLE001 pint's names for several units at once ("degC, degF") read as none
        return True


def as_quantity(value: Any, *, what: str) -> pint.Quantity:
    """Turn a quantity, a ``"20 ms"`` string or a ``{value, unit}`` mapping into a Quantity.

    Plain numbers are returned as dimensionless quantities; the caller decides
    whether that is allowed (see :func:`to_si`).
    """
    if isinstance(value, pint.Quantity):
        _refuse_offset_unit(value.units, what)
        if np.asarray(value.magnitude).dtype.kind not in "iuf":
            raise UnitError(f"{what}: expected real numbers with a unit, got {show(value)}")
        return value
    if isinstance(value, str):
        return _parse_quantity_text(value, what)
    if isinstance(value, dict) and set(value) == {"value", "unit"}:
        return ureg.Quantity(_floats(value["value"], value, what), parse_unit(str(value["unit"]), what=what))
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (str, pint.Quantity)) for v in value):
        items = [as_quantity(v, what=what) for v in value]
        unit = items[0].units
        try:
            return ureg.Quantity(np.array([q.to(unit).magnitude for q in items], dtype=float), unit)
        except pint.DimensionalityError:
            raise UnitError(f"{what}: the values {value!r} do not share one dimension") from None
    return ureg.Quantity(_floats(value, value, what))


def _parse_quantity_text(text: str, what: str, respell: bool = True) -> pint.Quantity:
    """``"20 ms"``, ``"-70 mV"``, ``"3"`` or a bracketed list ``"[10 20 30] ms"`` / ``"[10, 20] ms"``; never an
    expression of the clock (``"2*dt"`` is two time steps where an expression may stand, not two decitonnes).
    ``respell``: suggest another case for a symbol pint does not know (``mv``: ``mV``) where the error is shown."""
    clock = clock_names_read(text)
    if clock:
        raise UnitError(f"{what}: {text!r} reads {clock[0]!r}, the {CLOCK_MEANINGS[clock[0]]}, which this value "
                        "cannot; give a quantity such as '0.2 ms'")
    _refuse_misread_text(text, what)
    listed = _LIST_TEXT.match(text)
    if listed:
        items = [item for item in re.split(r"[,\s]+", listed["items"].strip()) if item]
        return ureg.Quantity(_floats(items, text, what), parse_unit(listed["unit"], what=what))
    try:
        magnitude, unit = _read_quantity(text, ureg.get())
        # an array (pint_xarray sets the registry's force_ndarray_like) is copied: a change in place of one
        # reading, q *= 2, changed every later reading of the text
        parsed = ureg.Quantity(magnitude.copy() if isinstance(magnitude, np.ndarray) else magnitude, unit)
    except pint.OffsetUnitCalculusError as err:
        raise _offset_unit_error(", ".join(err.units1 or ()) or "in it", f"{what}: {text!r}") from None
    except Exception as err:  # pint raises many kinds for bad text
        hint = _respelt(text) if respell else ""
        raise UnitError(f"{what}: cannot read {text!r} as a quantity ({err}){hint}") from None
    magnitude = np.asarray(parsed.magnitude)
    if magnitude.ndim != 0 or magnitude.dtype.kind not in "iuf":
        raise UnitError(f"{what}: cannot read {text!r} as a quantity (expected a number and a unit, e.g. '20 ms')")
    _refuse_offset_unit(parsed.units, what)
    return parsed


@functools.lru_cache(maxsize=4096)
def _read_quantity(text: str, registry: pint.UnitRegistry) -> tuple[Any, pint.Unit]:
    """``registry``'s reading of ``text`` as (magnitude, unit), remembered: building a network reads
    the same texts ("-70 mV") again and again, and pint's parser takes a few hundred microseconds each."""
    parsed = registry.Quantity(text)
    if not isinstance(parsed, pint.Quantity):
        parsed = registry.Quantity(parsed)
    return parsed.magnitude, parsed.units


def _floats(value: Any, shown: Any, what: str) -> float | np.ndarray:
    """``value`` as a float or a float array, or a UnitError naming ``what``."""
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, np.ndarray) and value.dtype == bool) or (
            isinstance(value, (list, tuple)) and any(isinstance(v, (bool, np.bool_)) for v in value)):
        raise UnitError(f"{what}: expected a quantity with a unit, got the boolean {shown!r}")
    try:
        return float(value) if np.isscalar(value) else np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise UnitError(f"{what}: expected a quantity with a unit, got {shown!r}") from None


def as_data(value: Any) -> Any:
    """``value`` as plain data for provenance: a quantity (or its text, ``"20 ms"``) becomes
    ``{"value": 20.0, "unit": "ms"}`` (a list for arrays; the form :func:`as_quantity` reads back),
    numpy values become numbers or lists; anything else (expressions, names) is returned as it is."""
    if isinstance(value, str) and is_quantity_text(value):
        value = as_quantity(value, what="value")
    if isinstance(value, pint.Quantity):
        return {"value": as_data(value.magnitude), "unit": f"{value.units:~}" or "1"}
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    if isinstance(value, dict):
        return {key: as_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)) and any(isinstance(item, (str, pint.Quantity)) for item in value):
        try:
            return as_data(as_quantity(list(value), what="value"))
        except UnitError:
            return [as_data(item) for item in value]
    return value


_NAMED_DIMENSIONS = {
    "V": "voltage", "A": "current", "S": "conductance", "F": "capacitance", "ohm": "resistance",
    "s": "time", "Hz": "frequency", "m": "length", "m**2": "area", "mol/m**3": "concentration",
    "C": "charge", "W": "power", "A*s**0.5": "current * time^(1/2)",
}


def dimension_of(unit: pint.Unit | str) -> str:
    """The dimension of a unit in words a modeller reads: ``'[voltage]'``, ``'[conductance]'``."""
    u = parse_unit(unit, what="unit") if isinstance(unit, str) else unit
    dim = ureg.Quantity(1, u).dimensionality
    if not dim:
        return "dimensionless"
    per_time = (ureg.Quantity(1, u) * ureg.second).dimensionality
    for named, word in _NAMED_DIMENSIONS.items():
        if ureg.Quantity(1, named).dimensionality == dim:
            return f"[{word}]"
        if ureg.Quantity(1, named).dimensionality == per_time:
            return f"[{word}] / [time]"
    for named, word in _NAMED_DIMENSIONS.items():  # the weight of an effect 'ge += w*mV' is in 1/mV
        if ureg.Quantity(1, named).dimensionality == 1 / dim:
            return f"1 / [{word}]"
    return str(dim)


def same_dimension(a: pint.Unit, b: pint.Unit) -> bool:
    """Whether two units measure the same dimension."""
    return ureg.Quantity(1, a).dimensionality == ureg.Quantity(1, b).dimensionality


def to_si(value: Any, unit: pint.Unit | str, *, what: str, allow_plain: bool = False,
          sign: Sign | None = None, finite: bool = True) -> Any:
    """Check ``value`` has the dimension of ``unit`` and return its SI magnitude.

    A plain number where ``unit`` has a dimension is an error naming ``what``,
    the expected dimension and the value given, unless ``allow_plain``.
    NaN and infinite values are errors (:class:`ValueRangeError`) unless ``finite=False``;
    ``sign`` ("positive" or "non-negative") also checks the sign of every value.
    Returns a float, or a float64 array for array values.
    """
    expected = parse_unit(unit, what=what) if isinstance(unit, str) else unit
    q = as_quantity(value, what=what)
    expected_q = ureg.Quantity(1.0, expected)
    plain = not isinstance(value, pint.Quantity) and not isinstance(value, (str, dict, list, tuple))
    if isinstance(value, (list, tuple)) and not any(isinstance(v, (str, pint.Quantity)) for v in value):
        plain = True
    if plain and not expected_q.dimensionless and not allow_plain:
        raise UnitError(
            f"{what}: expected a quantity of dimension {dimension_of(expected)} "
            f"(e.g. {_example(expected)}), got the plain number {value!r}"
        )
    if q.dimensionality != expected_q.dimensionality:
        if isinstance(value, str) and q.dimensionless and not _unit_symbols(value):
            raise UnitError(f"{what}: expected a quantity of dimension {dimension_of(expected)} "
                            f"(e.g. {_example(expected)}), got {value!r}, a number without a unit")
        hint = ""  # for a text, the spellings that fit: '2 ps' (picoseconds) for '2 pS'
        if isinstance(value, str):
            hint = _respelt(value, lambda read: read.dimensionality == expected_q.dimensionality)
        raise UnitError(
            f"{what}: expected dimension {dimension_of(expected)}, "
            f"got {show(q)} of dimension {dimension_of(q.units)}{hint}"
        )
    magnitude = q.to_base_units().magnitude
    magnitude = magnitude.astype(float) if isinstance(magnitude, np.ndarray) else float(magnitude)
    check_value(magnitude, what=what, shown=value, sign=sign, finite=finite, unit=expected)
    return magnitude


_NUMBER = re.compile(r"(?<![\w.])(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
"""A number in a quantity text ("20", "1.5", ".5", "1e-3"), not the digits of a name ("m2")."""
_CLOCK_ADVICE = {"dt": ", or 2*dt where an expression may stand (as in a refractory period)", "t": ""}
"""What to write instead of a clock name in a quantity text, which pint reads as a mass (decitonnes, tonnes)."""


def _unit_symbols(text: str) -> list[str]:
    """The unit symbols of a quantity text as written (``"2 dt"``: ``["dt"]``), numbers and exponents left out."""
    return re.findall(r"[^\W\d]+", _NUMBER.sub(" ", text))


def _case_variants(symbol: str) -> list[list[str]]:
    """Other spellings of ``symbol`` with some letters in the other case that pint defines, grouped by how many
    letters changed, fewest first (``"mv"``: ``[["mV"], ["MV"]]``): the slips that make ``pS`` picoseconds or
    ``mv`` unknown."""
    if len(symbol) > 6:
        return []
    spellings = {"".join(letters) for letters in itertools.product(*({c.lower(), c.upper()} for c in symbol))}
    by_changes: dict[int, list[str]] = {}
    for spelling in sorted(spellings - {symbol}):
        if _defined(spelling):
            by_changes.setdefault(sum(a != b for a, b in zip(spelling, symbol)), []).append(spelling)
    return [by_changes[changes] for changes in sorted(by_changes)]


def _defined(symbol: str) -> bool:
    """Whether pint knows ``symbol`` as a unit (it raises, rather than say no, for some texts: ``"²A"``)."""
    try:
        return symbol in ureg
    except Exception:  # noqa: BLE001 pint raises many kinds for bad text
        return False


def respellings(text: str) -> list[list[str]]:
    """``text`` with one of its unit symbols in another case, each way pint reads as a quantity: for each symbol
    in turn, grouped by how many letters changed, fewest first (``"10 mS"``: ``[["10 MS", "10 ms"], ["10 Ms"]]``)."""
    groups = []
    for symbol in _unit_symbols(text):
        for spellings in _case_variants(symbol):
            readable = []
            for spelling in spellings:
                respelt = re.sub(rf"(?<![^\W\d]){re.escape(symbol)}(?![^\W\d])", spelling, text)
                try:
                    ureg.Quantity(respelt)
                except Exception:  # noqa: BLE001 - a spelling pint cannot read is no suggestion
                    continue
                readable.append(respelt)
            if readable:
                groups.append(readable)
    return groups


def _respelt(text: str, fits=None) -> str:
    """``"; did you mean '...'?"`` with ``text`` respelt (:func:`respellings`): every spelling that reads as a
    quantity that ``fits``, or without ``fits`` those that change the fewest letters; else ``""``."""
    groups = respellings(text)
    found = [spelling for group in groups for spelling in group if fits(ureg.Quantity(spelling))] if fits else \
        groups[0] if groups else []
    return f"; did you mean {' or '.join(map(repr, found))}?" if found else ""


_READ_AS_WRITTEN = frozenset(string.ascii_letters + string.digits + ".+-*/^()_%[],") | frozenset("µμΩÅ°²³·⋅")
"""The characters pint reads in a quantity or unit text as a modeller means them (beyond ASCII: micro, ohm,
ångström, degree, squared, cubed and the multiplication dots); white space too."""

_WRITE_INSTEAD = {"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u00d7": "*", "\u066b": "."}
"""What to write for characters a text copied from a document often holds (minus sign, dashes, times sign)."""

_BRACKETED = re.compile(r"\[[^\[\]]*\]")


def _refuse_misread_text(text: str, what: str, expected: str = "a number and a unit, e.g. '-70 mV'") -> None:
    """Refuse a quantity or unit text that pint would read, in silence, as something else than it says: with
    a character pint leaves out ('\u221270 mV' with a minus sign is 70 mV, '70 m$V' is 70 m*V, '70 mV!' is
    70 mV), a comma outside a bracketed list ('1,5 ms' is 15 ms: pint multiplies), or two numbers side by
    side ('1 2 pA' is 2 pA), or a clock name among its symbols (:func:`_refuse_clock_symbols`). ``expected``
    says what the text should be, in the error."""
    for char in text:
        if char not in _READ_AS_WRITTEN and not char.isspace():
            instead = f"; write {_WRITE_INSTEAD[char]!r} instead" if char in _WRITE_INSTEAD else ""
            name = unicodedata.name(char, f"U+{ord(char):04X}")
            raise UnitError(f"{what}: {text!r} holds {char!r} ({name}), which pint would leave out or misread"
                            f"{instead}; expected {expected}")
    outside = _BRACKETED.sub("[]", text)
    if "," in outside:
        raise UnitError(f"{what}: {text!r} holds a comma, which pint reads as a multiplication ('1,5 ms' would be "
                        "15 ms); write a decimal point ('1.5 ms'), or a list in brackets ('[1, 5] ms') where a "
                        "list is taken")
    numbers = list(_NUMBER.finditer(outside))
    for before, number in zip(numbers, numbers[1:]):
        unit_one = number[0] == "1" and outside[number.end():].lstrip()[:1] in ("", "/")  # '5 1 / second', '2 1'
        if not unit_one and not outside[before.end():number.start()].rstrip().endswith(tuple("*/^(+-")):
            raise UnitError(f"{what}: {text!r} holds the numbers {before[0]} and {number[0]} with no operator "
                            f"between them, which pint would multiply; expected {expected}")
    _refuse_clock_symbols(text, what)


def _refuse_clock_symbols(text: str, what: str) -> None:
    """Refuse a quantity or unit text with a clock name among its unit symbols: pint reads ``"2 dt"`` as two
    decitonnes and ``"5 t"`` as five tonnes, never what a modeller means."""
    for symbol in _unit_symbols(text):
        if symbol in _CLOCK_ADVICE:
            raise UnitError(f"{what}: {text!r}: pint reads {symbol!r} as a mass ({ureg.get_name(symbol)}), not the "
                            f"{CLOCK_MEANINGS[symbol]}; write the value in its unit (e.g. '0.2 ms' for a "
                            f"time){_CLOCK_ADVICE[symbol]}")


def one_si(value: Any, unit: pint.Unit | str, *, what: str, sign: Sign | None = None) -> float:
    """Like :func:`to_si` for a value that must be a single number (one for all neurons or synapses)."""
    magnitude = to_si(value, unit, what=what, sign=sign)
    if np.ndim(magnitude) != 0:
        example = _example(parse_unit(unit, what=what) if isinstance(unit, str) else unit)
        raise ConfigError(f"{what}: expected a single value (e.g. {example}), got an array of {np.size(magnitude)}")
    return float(magnitude)


def check_value(si_value: Any, *, what: str, shown: Any = None, sign: Sign | None = None, finite: bool = True,
                unit: pint.Unit | str = "1") -> None:
    """Raise a :class:`ValueRangeError` naming ``what`` if ``si_value`` (a number or array) is NaN,
    infinite (unless ``finite=False``) or of the wrong ``sign``."""
    values = np.asarray(si_value, dtype=float)
    shown = show(si_value if shown is None else shown)
    if np.isnan(values).any() or (finite and np.isinf(values).any()):
        raise ValueRangeError(f"{what}: must be finite (not NaN or infinite), got {shown}")
    if sign == "positive" and not (values > 0).all():
        raise ValueRangeError(f"{what}: must be positive (a {dimension_of(unit)} quantity > 0), got {shown}")
    if sign == "non-negative" and not (values >= 0).all():
        raise ValueRangeError(f"{what}: must be >= 0 (a {dimension_of(unit)} quantity), got {shown}")


_SI_SPELLINGS = {"V": "V", "A": "A", "S": "S", "s": "s", "F": "F", "ohm": "ohm", "Hz": "Hz", "m": "m",
                 "m**2": "m^2", "mol/m**3": "mol/m^3", "W": "W"}


def si_unit_string(unit: pint.Unit | str) -> str:
    """The CF-style SI unit string for a unit: ``mV`` -> ``"V"``, ``nS`` -> ``"S"``."""
    u = parse_unit(unit, what="unit") if isinstance(unit, str) else unit
    q = ureg.Quantity(1.0, u)
    if q.dimensionless:
        return "1"
    for named, spelling in _SI_SPELLINGS.items():
        if q.dimensionality == ureg.Quantity(1.0, named).dimensionality:
            return spelling
    own = _own_si_spelling(u)
    if own is not None:
        return own
    base = q.to_base_units().units
    # a spelling both udunits (CF tools) and pint read: "A^2*s^2*kg^-1*m^-2", not "A ** 2 * s ** 2 / kg / m ** 2"
    return "*".join(f"{ureg.get_symbol(name)}{_exponent(power)}" for name, power in base._units.items())


def _own_si_spelling(unit: pint.Unit) -> str | None:
    """``mV/ms`` -> ``"V*s^-1"`` (not ``"kg*m^2*s^-4*A^-1"``): the unit written in its own units without their
    prefixes, if that is coherent SI (worth exactly 1 in base units; not with gram or litre), else None."""
    parts = []
    for name, power in unit._units.items():
        parsed = ureg.parse_unit_name(name)
        if len(parsed) != 1:
            return None
        symbol = ureg.get_symbol(parsed[0][1])
        parts.append(f"{symbol if symbol.isascii() else parsed[0][1]}{_exponent(power)}")  # ohm, not pint's Ω
    spelled = "*".join(parts)
    in_base = ureg.Quantity(1.0, spelled).to_base_units()
    coherent = in_base.units == ureg.Quantity(1.0, unit).to_base_units().units
    return spelled if coherent and math.isclose(in_base.magnitude, 1.0, rel_tol=1e-12) else None


def unit_text(unit: pint.Unit) -> str:
    """A unit as model text writes it and ``snnzoo info`` shows it: ``mV``, ``uS``, ``uF/cm**2``,
    ``cm**2*ohm``, ``1/mV``, and ``1`` when dimensionless (pint's compact symbols, with ``u`` for
    micro and ``ohm`` for the ohm, as the model language reads them; not pint's ``µS`` or ``cm ** 2 * Ω``)."""
    if unit == ureg.dimensionless:
        return "1"
    return f"{unit:~C}".replace("µ", "u").replace("μ", "u").replace("Ω", "ohm")


def quantity_text(value: Any) -> str:
    """A value as model text writes it: a quantity as ``20 uS`` (its unit by :func:`unit_text`, none when
    dimensionless), anything else as ``str`` gives it."""
    if not isinstance(value, pint.Quantity):
        return str(value)
    unit = unit_text(value.units)
    return str(value.magnitude) if unit == "1" else f"{value.magnitude} {unit}"


def _exponent(power: float) -> str:
    if power == 1:
        return ""
    return f"^{int(power)}" if float(power).is_integer() else f"^{power:g}"


def positive_si(value: Any, unit: str, *, what: str) -> float:
    """Like :func:`to_si` for a scalar that must be finite and > 0 (dt, duration...)."""
    x = to_si(value, unit, what=what)
    if np.ndim(x) != 0 or not math.isfinite(x) or x <= 0:
        raise UnitError(f"{what}: expected a positive finite {dimension_of(unit)} quantity, got {show(value)}")
    return float(x)


def is_quantity_text(text: str) -> bool:
    """Whether ``text`` reads as a number with a unit ("-70 mV", "[10 20] ms") rather than an expression ("EL")."""
    if not text.strip()[:1] in set("0123456789+-.["):
        return False
    try:
        _parse_quantity_text(text, "value", respell=False)  # no spelling advice: it is not shown
    except Exception:  # noqa: BLE001 - any parse failure means "an expression"
        return False
    return True


#: Parameters of these dimensions must be > 0 in every model: a time constant or a
#: capacitance of zero or below makes the dynamics divide by zero or run away.
_POSITIVE_DIMENSIONS = ("s", "F")


def parameter_sign(unit: pint.Unit) -> Sign | None:
    """The sign a model parameter in ``unit`` must have ("positive" for times and capacitances)."""
    dimensionality = ureg.Quantity(1.0, unit).dimensionality
    if any(ureg.Quantity(1.0, named).dimensionality == dimensionality for named in _POSITIVE_DIMENSIONS):
        return "positive"
    return None


def is_whole_number(value: Any) -> bool:
    """Whether ``value`` is a whole number as snnzoo takes one everywhere (API, experiment files, sweeps):
    ``3`` or ``3.0``, never ``1.5``, ``inf`` or ``True``."""
    return not isinstance(value, bool) and (isinstance(value, numbers.Integral) or (
        isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer()))


def whole_number(value: Any, *, what: str, minimum: int | None = 0) -> int:
    """``value`` as an int if it is a whole number >= ``minimum`` (:func:`is_whole_number`)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(f"{what}: expected a whole number, got {show(value)}")
    if not is_whole_number(value):
        truncated = " (it would be truncated)" if math.isfinite(value) else ""  # inf and nan are no number of anything
        raise ConfigError(f"{what}: expected a whole number, got {show(value)}{truncated}")
    if minimum is not None and int(value) < minimum:
        raise ConfigError(f"{what}: expected a whole number >= {minimum}, got {show(value)}")
    return int(value)


def flag(value: Any, *, what: str) -> bool:
    """``value`` if it is True or False (a numpy boolean too), never ``"yes"``, ``1`` or None, which would be guessed."""
    if not isinstance(value, (bool, np.bool_)):
        raise ConfigError(f"{what}: expected True or False, got {show(value)}")
    return bool(value)


def whole_numbers(values: Any, *, what: str, size: int | None = None, items: str = "",
                  from_end: bool = False, first: int = 0) -> np.ndarray:
    """``values`` (a number or an array of them, e.g. neuron indices) as an int64 array of at least one
    dimension: ``[0, 2]`` or ``[0.0, 2.0]``, never ``[0.5, 2.9]`` (which would be truncated), booleans or text.

    With ``size``, each is an index of that many ``items`` (``"neurons"``), in 0..size-1 (with ``from_end``,
    -size..-1 count from the end, as Python's, and are returned as such; with ``first``, in first..size-1): an
    index outside, however large (``10**30``, beyond int64: it was numpy's OverflowError or "expected
    whole-number indices"), is refused naming it and the range."""
    try:
        array = np.atleast_1d(np.asarray(values))
    except (TypeError, ValueError, OverflowError):
        array = np.array([values], dtype=object)
    held_loosely = array.dtype.kind == "O" or (array.dtype.kind == "f" and not isinstance(values, np.ndarray))
    integers = _python_integers(values) if held_loosely else None
    if integers is not None:  # integers numpy held only as objects or floats: 10**30, or 2**63 among others
        array = integers
    elif array.dtype.kind not in "iu":
        if array.size == 0 and array.dtype.kind == "f":
            array = np.zeros(array.shape, dtype=np.int64)
        elif array.dtype.kind != "f":
            raise ConfigError(f"{what}: expected whole-number indices, got {show(values)}")
        wrong = array[~(np.isfinite(array) & (array == np.round(array)) & (np.abs(array) <= 2**53))]
        if wrong.size:
            shown = ", ".join(f"{value:g}" for value in wrong[:3]) + (", ..." if wrong.size > 3 else "")
            raise ConfigError(f"{what}: expected whole-number indices, got {shown} (an index is never rounded)")
    if size is not None:
        outside = array[((array < (-size if from_end else first)) | (array >= size)).astype(bool)]
        if outside.size:
            counted = f" ({size - first} {items})" if items else ""
            from_the_end = f"; -{size}..-1 count from the end" if from_end else ""
            raise ConfigError(f"{what}: index {outside.flat[0]} is outside {first}..{size - 1}{counted}{from_the_end}")
    elif array.size and (array.max() > np.iinfo(np.int64).max or array.min() < np.iinfo(np.int64).min):
        raise ConfigError(f"{what}: index {array.max() if array.max() > 0 else array.min()} is beyond what an "
                          "index can be (a 64-bit integer, -2**63..2**63 - 1)")
    return array.astype(np.int64)


def _python_integers(values: Any) -> np.ndarray | None:
    """``values`` as an array of Python ints (objects, of any size) if every item is an integer (not a
    boolean), else None."""
    try:
        array = np.atleast_1d(np.array(values, dtype=object))
    except (TypeError, ValueError):
        return None
    items = array.ravel().tolist()
    if not items or not all(isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_)) for v in items):
        return None
    return np.array([int(v) for v in items], dtype=object).reshape(array.shape)


MAX_SEED = 2**63 - 1
"""The largest master random seed: result files store seeds as 64-bit integers (a sweep's ``seed`` coordinate)."""


def seed_number(value: Any, *, what: str = "seed") -> int:
    """A master random seed: a whole number from 0 to :data:`MAX_SEED` (Network, experiments and sweeps)."""
    seed = whole_number(value, what=what)
    if seed > MAX_SEED:
        raise ConfigError(f"{what}: expected a whole number from 0 to 2**63 - 1 (stored as a 64-bit integer), "
                          f"got {seed}")
    return seed


def show(value: Any) -> str:
    """A value as an error message shows it: a quantity as ``-2 ms``, anything else as its repr."""
    if isinstance(value, pint.Quantity):
        return f"{value:~}"
    return repr(value)


_SHOWN_PREFIXES = ((1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""), (1e-3, "m"), (1e-6, "u"), (1e-9, "n"),
                   (1e-12, "p"), (1e-15, "f"))


def show_si(value: float, unit: pint.Unit | str) -> str:
    """An SI ``value`` of a quantity in ``unit`` as a message shows it, with the prefix that puts it in
    [1, 1000): 0.002 of a time as ``2 ms``, -1e-9 of a conductance as ``-1 nS``.

    Done here, not by pint's ``to_compact``, which leaves the value alone once the registry keeps
    magnitudes as arrays (``import pint_xarray`` makes pint's application registry do so)."""
    si, value = si_unit_string(unit), float(value)
    if si == "1":
        return f"{value:.4g}"
    if not si.isalpha() or si == "kg" or value == 0 or not math.isfinite(value):
        return f"{value:.4g} {si}"
    factor, prefix = next(((f, p) for f, p in _SHOWN_PREFIXES if abs(value) >= f), _SHOWN_PREFIXES[-1])
    return f"{value / factor:.4g} {prefix}{si}"


def _example(unit: pint.Unit) -> str:
    if unit == ureg.dimensionless:
        return "1"
    text = unit_text(unit)
    return f"'{text}'" if text.startswith("1/") else f"'1 {text}'"  # '1/mV', not '1 1 / mV'

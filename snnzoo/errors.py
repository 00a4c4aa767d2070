"""Exceptions raised by snnzoo, and the warnings it gives.

Every error names the thing at fault (parameter, unit, equation, plugin, file,
experiment) and what was expected. The CLI prints ``str(error)`` on one line
and exits with status 2, never a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def a_or_an(phrase: str) -> str:
    """``phrase`` after the indefinite article it takes: "an index", "an 'isi_cv' check", "an int", "a list",
    "a unit" (by its first letter; messages that name a kind or a type go through it, never "a index")."""
    first = next((c.lower() for c in phrase if c.isalnum()), "")
    sounded_vowel = first in "aeiou" and not phrase.lstrip("'\"`").lower().startswith(("one", "uni", "use"))
    return f"{'an' if first and sounded_vowel else 'a'} {phrase}"


class SnnzooError(Exception):
    """Base class of every error snnzoo raises on bad input."""


class UnitError(SnnzooError):
    """A value has no unit where one is required, or the wrong dimension."""


class EquationError(SnnzooError):
    """A model equation, threshold or reset statement is malformed or inconsistent."""


class ConfigError(SnnzooError):
    """An experiment file, a ``--set`` override or an API argument is invalid."""


class ValueRangeError(UnitError, ConfigError):
    """A quantity has the right dimension but an impossible value: NaN, infinite, or the wrong sign.

    It is both a :class:`UnitError` (about a quantity) and a :class:`ConfigError` (a bad argument).
    """


class PluginError(SnnzooError):
    """A plugin failed to load or registered something invalid."""


class SimulationError(SnnzooError):
    """The simulation could not be run, or its state became NaN or infinite."""


def closest_name(name: str, known: Iterable[str]) -> str | None:
    """The name of ``known`` closest to ``name`` (difflib's measure), or, when none is, the closest with case
    ignored ('ADEX' is nothing like 'adex' to difflib); None if none is close either way."""
    known = list(known)
    close = difflib.get_close_matches(str(name), known, n=1)
    if close:
        return close[0]
    by_folded: dict[str, str] = {}
    for candidate in known:
        by_folded.setdefault(candidate.casefold(), candidate)
    close = difflib.get_close_matches(str(name).casefold(), list(by_folded), n=1)
    return by_folded[close[0]] if close else None


class UnknownNameError(SnnzooError, KeyError):
    """A model, stimulus, integrator or experiment name is not registered."""

    def __init__(self, kind: str, name: str, known: Iterable[str], note: str = ""):
        """``note``, if given, ends the message (e.g. which plugins failed to load)."""
        known = sorted(known)
        close = closest_name(name, known)
        hint = f"; did you mean {close!r}?" if close else ""
        listing = ", ".join(known) if known else "none registered"
        self.kind, self.name = kind, name
        super().__init__(f"unknown {kind} {name!r}{hint} (known: {listing}){f'; {note}' if note else ''}")

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]


class UnknownAttributeError(UnknownNameError, AttributeError):
    """``pop.vv``: an attribute naming no parameter or variable (an AttributeError, so ``hasattr`` still works)."""


class UnknownKeywordError(UnknownNameError, ConfigError, TypeError):
    """``net.run_regularly(..., when="start")``: a keyword the method does not take (a TypeError, as Python's own)."""


class DeprecatedNameWarning(FutureWarning):
    """A parameter was given by its old name (an alias kept for one release); the message names the new one."""


class UnusedParameterWarning(UserWarning):
    """A model was given a parameter that appears nowhere in it (often a misspelling: ``tua`` for ``tau``).

    A warning in Python, where one dictionary of values often serves several models; an error
    for the models written in an experiment file."""

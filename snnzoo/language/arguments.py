"""Argument checks for the user's API: a keyword a method does not take is a one-line
:class:`~snnzoo.errors.UnknownKeywordError` naming those it takes (and, for one of Brian2's, what to write
here), not Python's bare TypeError; a flag
(a parameter annotated ``bool``) is True or False; a group's own attributes are read-only."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping, Sequence

from ..errors import ConfigError, UnknownKeywordError
from ..units import flag
from .brian2_names import brian2_keyword_note


def arguments_checked(keywords_of_rest: Mapping[str, Sequence[str]]):
    """A class decorator: the constructor and public methods refuse arguments they do not take with
    a one-line error instead of Python's bare TypeError (see :func:`checked_call`).
    ``keywords_of_rest`` names, by method, the keywords its ``**`` parameter takes."""
    def decorate(cls: type) -> type:
        for name, method in list(vars(cls).items()):
            if inspect.isfunction(method) and (name == "__init__" or not name.startswith("_")):
                shown = f"{cls.__name__}()" if name == "__init__" else f"{cls.__name__}.{name}()"
                setattr(cls, name, checked_call(method, shown, keywords_of_rest.get(name)))
        return cls

    return decorate


def checked_call(method, shown: str, keywords_of_rest: Sequence[str] | None):
    """``method`` checking its arguments against its signature first: a keyword it does not take
    (Brian2's ``run_regularly(..., when="start")``) is an :class:`UnknownKeywordError` naming the
    ones it takes (did you mean ...?); a missing or extra argument a :class:`ConfigError`; a flag (annotated
    ``bool``) that is not True or False (``"yes"`` or ``1`` was taken as true) too. A ``**`` parameter takes
    any keyword, or only ``keywords_of_rest`` if given."""
    signature = inspect.signature(method)
    flags = [p.name for p in signature.parameters.values() if p.annotation in ("bool", bool)]
    taken = [p.name for p in signature.parameters.values()
             if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    known = [*taken, *(keywords_of_rest or ())]
    takes_any_keyword = keywords_of_rest is None and any(p.kind == p.VAR_KEYWORD
                                                         for p in signature.parameters.values())

    @functools.wraps(method)
    def checked(*args, **kwargs):
        unknown = [] if takes_any_keyword else [keyword for keyword in kwargs if keyword not in known]
        if unknown:
            raise UnknownKeywordError(f"{shown} keyword", unknown[0], known, brian2_keyword_note(unknown[0]))
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as error:
            raise ConfigError(f"{shown}: {error} (it takes {', '.join(taken)})") from None
        for name in flags:
            if name in bound.arguments:
                flag(bound.arguments[name], what=f"{shown}: {name}")
        return method(*args, **kwargs)

    return checked


def constructor_checked(cls: type) -> type:
    """A class decorator: the constructor alone checks its arguments as :func:`checked_call` does (for classes
    such as the models, whose other methods snnzoo itself calls)."""
    cls.__init__ = checked_call(cls.__init__, f"{cls.__name__}()", None)
    return cls


def checked_function(function):
    """A function of the user's API (``snnzoo.sweep``) checking its arguments as :func:`checked_call` does."""
    return checked_call(function, f"{function.__name__}()", None)


def refuse_read_only(group: object, name: str, where: str, fixed: str) -> None:
    """Refuse ``group.NAME = ...`` of one of the group's own attributes (a field, a property or a method: a
    population's ``size``, ``N``, ``name``, ``model``...). It replaced the attribute in silence while the neurons,
    synapses and kernel stayed as made (Brian2 refuses ``G.N = 3`` too); ``fixed`` says when it is given."""
    if name in vars(group) or hasattr(type(group), name):
        raise ConfigError(f"{where}: {name} is read-only (fixed {fixed})")

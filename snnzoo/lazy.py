"""Attributes of a package imported on first use (PEP 562), so importing it stays cheap.

``import snnzoo`` must not load numba, sympy, scipy or matplotlib: a package
names what it offers and the submodule defining each (:func:`lazy_package`), and
the submodule is imported the first time the name is used.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Mapping
from types import ModuleType
from typing import Any


class LazyPackage(ModuleType):
    """A package whose exported names are imported from their submodules on first use.

    Importing a submodule normally binds it as an attribute of its package; here it
    never replaces an export or a function of the same name (``snnzoo.model`` stays the
    function after ``snnzoo/model.py`` is imported), as it did when everything was
    imported eagerly before those names were defined.
    """

    _lazy_exports: Mapping[str, str]

    def __getattr__(self, name: str) -> Any:
        exports = self.__dict__.get("_lazy_exports", {})
        if name in exports:
            value = getattr(importlib.import_module(f".{exports[name]}", self.__name__), name)
        elif not name.startswith("__") and importlib.util.find_spec(f"{self.__name__}.{name}") is not None:
            value = importlib.import_module(f".{name}", self.__name__)  # e.g. snnzoo.network after import snnzoo
        else:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        self.__dict__[name] = value
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, ModuleType) and (
                name in self._lazy_exports or not isinstance(self.__dict__.get(name, value), ModuleType)):
            return  # a submodule being imported: it stays reachable through sys.modules
        super().__setattr__(name, value)

    def __dir__(self) -> list[str]:
        return sorted(set(self.__dict__) | set(self._lazy_exports))


def lazy_package(name: str, exports: Mapping[str, str]) -> None:
    """Make package ``name`` import each of ``exports`` (name -> submodule relative to the package)
    when it is first used, and any other submodule when it is named (``snnzoo.network`` after a bare
    ``import snnzoo``)."""
    package = sys.modules[name]
    package.__dict__["_lazy_exports"] = dict(exports)
    package.__class__ = LazyPackage

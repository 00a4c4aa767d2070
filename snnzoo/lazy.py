"""Attributes of a package imported on first use (PEP 562), so importing it stays cheap.

``import snnzoo`` must not load numba, sympy, scipy or matplotlib: a package
names what it offers and the submodule defining each (:func:`lazy_package`), and
the submodule is imported the first time the name is used.

A name that is both a function of the package and one of its submodules
(``snnzoo.sweeps.sweep(...)`` and ``import snnzoo.sweeps.sweep``) is the submodule, made callable
as its function of that name (:class:`CallableModule`): ``import snnzoo.sweeps.sweep as m`` always
gives the module, never a function shadowing it.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from collections.abc import Mapping
from types import ModuleType
from typing import Any


class CallableModule(ModuleType):
    # A submodule its package offers as a function of the same name: calling ``snnzoo.sweeps.sweep(...)``
    # calls ``snnzoo.sweeps.sweep.sweep(...)``. ``help(snnzoo.sweeps.sweep)`` and ``inspect.signature`` describe
    # that function first (help would show the module's docstring and its other contents first).

    @property
    def _function(self) -> Any:
        return getattr(self, self.__name__.rpartition(".")[2])

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._function(*args, **kwargs)

    @property
    def __signature__(self) -> inspect.Signature:
        try:
            return inspect.signature(self._function, eval_str=True)  # str, not 'str' (postponed annotations)
        except NameError:  # an annotation names what only type checkers import
            return inspect.signature(self._function)

    @property
    def __doc__(self) -> str:  # type: ignore[override]
        """The function's signature and docstring, then the module's docstring."""
        module_doc = self.__dict__.get("__doc__") or ""
        return (f"{self.__name__}{self.__signature__}\n\n{inspect.getdoc(self._function)}\n\n"
                f"The module {self.__name__} (import it for its other contents): {module_doc}")


def _callable(module: ModuleType) -> CallableModule:
    """``module``, callable as its function of the same name."""
    module.__class__ = CallableModule
    return module


class LazyPackage(ModuleType):
    """A package whose exported names are imported from their submodules on first use.

    An export named like its submodule (``"sweep": "sweep"``) is that submodule, made callable,
    however the submodule is first imported.
    """

    _lazy_exports: Mapping[str, str]

    def __getattr__(self, name: str) -> Any:
        exports = self.__dict__.get("_lazy_exports", {})
        if name in exports:
            module = importlib.import_module(f".{exports[name]}", self.__name__)
            value = _callable(module) if exports[name] == name else getattr(module, name)
        elif not name.startswith("__") and importlib.util.find_spec(f"{self.__name__}.{name}") is not None:
            value = importlib.import_module(f".{name}", self.__name__)  # e.g. snnzoo.network after import snnzoo
        else:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        self.__dict__[name] = value
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, ModuleType) and self._lazy_exports.get(name) == name:  # that submodule, imported
            value = _callable(value)
        super().__setattr__(name, value)

    def __dir__(self) -> list[str]:
        """What the package offers (``__all__``, else every name it holds) with the names imported on first
        use and its dunder attributes; not what its ``__init__`` imported for itself (``TYPE_CHECKING``,
        ``annotations``), which tab completion would list."""
        offered = self.__dict__.get("__all__", self.__dict__)
        dunders = {name for name in self.__dict__ if name.startswith("__")}
        return sorted(set(offered) | set(self._lazy_exports) | dunders)


def lazy_package(name: str, exports: Mapping[str, str]) -> None:
    """Make package ``name`` import each of ``exports`` (name -> submodule relative to the package)
    when it is first used, and any other submodule when it is named (``snnzoo.network`` after a bare
    ``import snnzoo``). An export named like its submodule is that submodule, callable as its function
    of that name (:class:`CallableModule`)."""
    package = sys.modules[name]
    package.__dict__["_lazy_exports"] = dict(exports)
    package.__class__ = LazyPackage

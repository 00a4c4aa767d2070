"""The structure key of a kernel: which compiled kernel a plan needs, known without generating it.

Generating a kernel's source walks the model's equations with sympy; a warm run
should not pay for that to find a kernel it already has. :func:`structure_key`
hashes everything the generated source can depend on, read from the
:class:`~snnzoo.engine.plan.KernelPlan` as it is:

- every field of every plan object, recursively: neuron models by the arguments they
  were made from (the rest of a model follows from them, and a model read from its
  summary has not parsed its equations yet), integrators, synapse
  models, drives and sources with all their attributes (sympy expressions by
  ``srepr``, arrays by dtype, shape and contents, functions by their code), the
  versions of Python, pint and sympy, the thread count, and the type of every object (an object reached a second time, such
  as a population's model through a projection, enters as a reference to the first);
- the source of snnzoo itself and of every other module defining one of those
  types (a plugin's model or integrator class), so that editing the code
  generator or a plugin gives new keys;
- except the per-neuron and per-synapse *data* the kernel reads from arrays
  (``values``, ``refractory_steps`` and ``synapses`` of the population, projection
  and synapse plans): of those only dtypes, shapes and scalars enter, so new
  parameter values, initial values, weights or connections reuse the kernel.

Anything else the key cannot tell apart is included, so a change can only cost a
regeneration (which then finds the same source, already compiled), never a wrong
kernel. :func:`kernel_module` maps keys to kernel modules in memory (a sweep's
runs in one process share it) and on disk (``kernels/keys/KEY`` names the module
in :mod:`snnzoo.engine.kernel_cache`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
from functools import cache
from pathlib import Path
from types import FunctionType, MethodType, ModuleType
from typing import Any

import numpy as np

from ..cache_folder import snnzoo_digest
from ..errors import SnnzooError
from ..language.model import NeuronModel
from ..language.model_summary import library_versions
from ..language.symbolic_budget import time_budget
from ..safe_write import write_atomically
from . import kernel_cache
from .plan import KernelPlan, PopulationPlan, ProjectionPlan, SynapsePlan

DATA_FIELDS = {PopulationPlan: {"values", "refractory_steps"}, ProjectionPlan: {"synapses"},
               SynapsePlan: {"values", "synapses"}}
"""Plan fields holding per-neuron or per-synapse data the kernel reads from arrays (dtypes and dimensions only)."""

OPAQUE_LIBRARIES = ("numpy", "sympy", "pint", "builtins")
"""Libraries whose objects enter by value (repr), never by walking their attributes."""

SYMPY_TEXTS_KEPT = 4096
"""How many sympy objects' texts :func:`_sympy_text` keeps before it starts again."""

_modules: dict[str, ModuleType] = {}
"""Kernel modules by structure key, for this process."""


def structure_key(plan: KernelPlan, *options: Any) -> str:
    """A hash of everything the source of ``plan``'s kernel depends on; ``options`` are the code
    generator's other arguments (the thread count)."""
    walker = _Walker()
    walker.walk(("options", options, "snnzoo", snnzoo_digest(), library_versions()))
    walker.walk(plan)
    return walker.digest.hexdigest()[:32]


def kernel_module(plan: KernelPlan, *options: Any) -> ModuleType:
    """The kernel module of ``plan`` made by ``codegen.generate(plan, *options)``: found by its
    structure key in this process or in the disk cache, else generated and remembered under the key."""
    key = structure_key(plan, *options)
    module = _modules.get(key) or _load_by_key(key)
    if module is None:
        with time_budget("generating the kernel"):
            source = generate(plan, *options)
        module = kernel_cache.load_kernel_module(source)
        _remember(key, module.__name__)
    _modules[key] = module
    return module


def generate(plan: KernelPlan, *options: Any) -> str:
    """The kernel source of ``plan`` (:func:`snnzoo.engine.codegen.generate`, imported here: it needs
    sympy, which a run whose key finds its kernel never imports)."""
    from . import codegen

    return codegen.generate(plan, *options)


def _keys_folder() -> Path:
    return kernel_cache.cache_dir() / "keys"


def _load_by_key(key: str) -> ModuleType | None:
    """The kernel module the disk cache holds for ``key``, or None (missing or damaged: regenerate)."""
    try:
        name = (_keys_folder() / key).read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None
    return kernel_cache.load_cached_module(name)


def _remember(key: str, name: str) -> None:
    try:
        _keys_folder().mkdir(parents=True, exist_ok=True)
        write_atomically(_keys_folder() / key, name.encode)
    except (OSError, SnnzooError):
        pass  # an unusable cache folder: the kernel cache has said so already


@cache
def _module_digest(module_name: str) -> str | None:
    """The hash of the source file of module ``module_name`` (a plugin's), None if it has none."""
    file = getattr(sys.modules.get(module_name), "__file__", None)
    try:
        return hashlib.sha256(Path(file).read_bytes()).hexdigest() if file else None
    except OSError:
        return None


_SYMPY_TEXTS: dict[int, tuple[Any, str]] = {}
"""``srepr`` of the sympy objects walked so far, by id, with the object (held, so that its id is not reused)."""


def _sympy_text(expression: Any) -> str:
    """``sympy.srepr`` of an expression, once per expression object and process: the runs of a sweep
    rebuild their networks from the same registered models, whose expressions are the same objects (srepr
    was half of a key's time). Keyed by identity, not equality, so that no two distinct expressions share one."""
    import sympy

    held = _SYMPY_TEXTS.get(id(expression))
    if held is None:
        if len(_SYMPY_TEXTS) >= SYMPY_TEXTS_KEPT:
            _SYMPY_TEXTS.clear()
        held = _SYMPY_TEXTS[id(expression)] = (expression, sympy.srepr(expression))
    return held[1]


class _Walker:
    """Feeds a canonical description of an object graph into a hash."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self._path: set[int] = set()
        self._walked: dict[tuple[int, bool], tuple[int, Any]] = {}
        """Objects described already, by (id, data), with their number and the object itself (held,
        so that its id is not reused during the walk): a second visit feeds the number (the plan
        reaches each population's model again through its projections)."""

    def feed(self, *parts: object) -> None:
        self.digest.update(repr(parts).encode())
        self.digest.update(b"\0")

    def walk(self, value: Any, data: bool = False) -> None:
        """Feed ``value``; inside per-neuron or per-synapse ``data`` arrays enter by dtype and number
        of dimensions only (the kernel reads their lengths at run time: another seed's connections,
        more or fewer of them, find the same kernel)."""
        if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
            self.feed(type(value).__name__, value)
        elif isinstance(value, np.ndarray):
            if data:
                self.feed("data array", value.dtype.str, value.ndim)
            else:
                self.feed("array", value.dtype.str, value.shape)
                self.digest.update(np.ascontiguousarray(value).tobytes())
        elif isinstance(value, (list, tuple)):
            self.feed(type(value).__name__, len(value))
            for item in value:
                self.walk(item, data)
        elif isinstance(value, dict):
            self.feed("dict", len(value))
            for item in value.items():
                self.walk(item, data)
        elif isinstance(value, (set, frozenset)):
            self.feed("set", sorted(map(repr, value)))
        elif isinstance(value, type):
            self.feed("type", value.__module__, value.__qualname__, _module_digest(value.__module__))
        elif isinstance(value, (FunctionType, MethodType)):
            self._walk_function(value)
        elif id(value) in self._path:
            self.feed("cycle", type(value).__qualname__)
        elif (id(value), data) in self._walked:
            self.feed("walked", self._walked[id(value), data][0])
        else:
            self._walked[id(value), data] = (len(self._walked), value)
            self._path.add(id(value))
            try:
                self._walk_object(value, data)
            finally:
                self._path.discard(id(value))

    def _walk_function(self, function: FunctionType | MethodType) -> None:
        if isinstance(function, MethodType):
            self.walk(function.__self__)
            function = function.__func__
        code = function.__code__
        self.feed("function", function.__module__, function.__qualname__, _module_digest(function.__module__),
                  code.co_code, code.co_names)
        self.walk(code.co_consts)

    def _walk_object(self, value: Any, data: bool) -> None:
        kind = type(value)
        library = kind.__module__.partition(".")[0]
        self.feed("object", kind.__module__, kind.__qualname__)
        if kind is NeuronModel:  # what it was made from decides all the rest (parsed yet or not)
            self.walk(value.arguments, data)
        elif library == "sympy":
            self.feed(_sympy_text(value))
        elif library == "pint":
            self.walk(getattr(value, "magnitude", None), data)
            self.feed(str(getattr(value, "units", value)))
        elif library in OPAQUE_LIBRARIES or not (dataclasses.is_dataclass(value) or hasattr(value, "__dict__")):
            self.feed(repr(value))
        else:
            if library != "snnzoo":
                self.feed(_module_digest(kind.__module__))
            fields = DATA_FIELDS.get(kind, set())
            attributes = ({f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
                          if dataclasses.is_dataclass(value) else vars(value))
            for name, attribute in attributes.items():
                self.feed("attribute", name)
                self.walk(attribute, data or name in fields)

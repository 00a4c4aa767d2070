"""The engine (DESIGN.md layer 4): one numba kernel per simulation, generated from a plan
(:mod:`.plan`) with array names that only :mod:`.layout` defines (:mod:`.codegen`, :mod:`.printer`,
:mod:`.synapses_codegen`), compiled maths and random streams (:mod:`.runtime`, :mod:`.sampling`),
kernels cached on disk (:mod:`.kernel_key`, :mod:`.kernel_cache`), and the driver that runs it
chunk by chunk (:mod:`.simulation`)."""

from ..lazy import lazy_package

lazy_package(__name__, {})  # its submodules on first use: snnzoo.engine.NAME after a bare import snnzoo

"""Results (DESIGN.md layer 5): what a run recorded as an ``xarray.DataTree`` with CF units and
provenance (:mod:`.tree`, written and read as netCDF), the ``.snn`` analysis accessor
(:mod:`.analysis`) and matplotlib figures (:mod:`.plotting`)."""

from ..lazy import lazy_package

lazy_package(__name__, {})  # its submodules on first use: snnzoo.results.NAME after a bare import snnzoo

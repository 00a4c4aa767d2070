"""The catalog (DESIGN.md layer 7): experiments as TOML files that plugins ship, checked against
their schema (:mod:`.schema`) and built into networks, run, checked and drawn (:mod:`.experiment`)."""

from ..lazy import lazy_package

lazy_package(__name__, {})  # its submodules on first use: snnzoo.catalog.NAME after a bare import snnzoo
